/*
 * A small thread-safe allocator for the threaded wasi-libc build of
 * wasm-conformance (the ziglang wheel ships no malloc sources).
 *
 * Segregated free lists over size classes (four classes per power of two),
 * carved from linear memory that starts at __heap_base and grows with
 * memory.grow.  Freed blocks go back to their class's list; nothing is
 * coalesced.  One futex-based lock guards everything.
 *
 * Every block starts with a 16-byte header; the user pointer follows it.
 *   normal block:  hdr.size = class size in bytes (header included),
 *                  hdr.magic = MAGIC_BLOCK
 *   over-aligned:  a second header right before the aligned user pointer,
 *                  hdr.size = distance back to the real block's user pointer,
 *                  hdr.magic = MAGIC_ALIGNED
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#define HDR 16
#define MAGIC_BLOCK   0xA110C8EDu
#define MAGIC_ALIGNED 0xA1163EDAu
#define NCLASS 128
#define PAGE 65536

struct hdr { size_t size; uint32_t magic; uint32_t pad[2]; };
_Static_assert(sizeof(struct hdr) == HDR, "header size");

extern unsigned char __heap_base;

static volatile int heap_lock;
static void *free_list[NCLASS];
static uintptr_t cur, end;

static void lock(void)
{
	int c = __sync_val_compare_and_swap(&heap_lock, 0, 1);
	if (!c) return;
	do {
		if (c == 2 || __sync_val_compare_and_swap(&heap_lock, 1, 2) != 0)
			__builtin_wasm_memory_atomic_wait32((int *)&heap_lock, 2, -1);
	} while ((c = __sync_val_compare_and_swap(&heap_lock, 0, 2)) != 0);
}

static void unlock(void)
{
	if (__sync_fetch_and_sub(&heap_lock, 1) != 1) {
		__atomic_store_n(&heap_lock, 0, __ATOMIC_SEQ_CST);
		__builtin_wasm_memory_atomic_notify((int *)&heap_lock, 1);
	}
}

/* class index -> block size: 32,48,64,80,...,  then 4 steps per doubling */
static size_t class_size(unsigned i)
{
	if (i < 8) return 32 + 16 * (size_t)i;             /* 32 .. 144 */
	unsigned k = i - 8, e = k / 4, m = k % 4;
	return ((size_t)128 << e) + ((size_t)32 << e) * (m + 1);  /* 160 ... */
}

static int class_of(size_t total)
{
	for (unsigned i = 0; i < NCLASS; i++) {
		size_t s = class_size(i);
		if (s >= total) return (int)i;
		if (s >= ((size_t)1 << 31)) break;
	}
	return -1;
}

/* Take `n` bytes (a multiple of 16) from the top of the heap. */
static void *carve(size_t n)
{
	if (!cur) {
		cur = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
		end = (uintptr_t)__builtin_wasm_memory_size(0) * PAGE;
	}
	if (end - cur < n) {
		size_t want = n - (end - cur);
		size_t pages = (want + PAGE - 1) / PAGE;
		if (pages < 16) pages = 16;
		long old = (long)__builtin_wasm_memory_grow(0, pages);
		if (old < 0) {
			pages = (want + PAGE - 1) / PAGE;
			old = (long)__builtin_wasm_memory_grow(0, pages);
			if (old < 0) return 0;
		}
		uintptr_t base = (uintptr_t)old * PAGE;
		if (base != end) cur = base;   /* someone else grew memory too */
		end = base + pages * PAGE;
		if (end - cur < n) return 0;
	}
	void *p = (void *)cur;
	cur += n;
	return p;
}

void *malloc(size_t n)
{
	if (n > ((size_t)1 << 31) - HDR) { errno = ENOMEM; return 0; }
	int c = class_of(n + HDR);
	if (c < 0) { errno = ENOMEM; return 0; }
	struct hdr *h;
	lock();
	h = free_list[c];
	if (h) free_list[c] = *(void **)h;
	else h = carve(class_size(c));
	unlock();
	if (!h) { errno = ENOMEM; return 0; }
	h->size = class_size(c);
	h->magic = MAGIC_BLOCK;
	return (char *)h + HDR;
}

static struct hdr *block_of(void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	if (h->magic == MAGIC_ALIGNED) {
		p = (char *)p - h->size;
		h = (struct hdr *)((char *)p - HDR);
	}
	if (h->magic != MAGIC_BLOCK) __builtin_trap();   /* bad free */
	return h;
}

void free(void *p)
{
	if (!p) return;
	struct hdr *h = block_of(p);
	int c = class_of(h->size);
	h->magic = 0;
	lock();
	*(void **)h = free_list[c];
	free_list[c] = h;
	unlock();
}

size_t malloc_usable_size(void *p)
{
	if (!p) return 0;
	struct hdr *h = block_of(p);
	return (size_t)((char *)h + h->size - (char *)p);
}

void *calloc(size_t m, size_t n)
{
	if (n && m > SIZE_MAX / n) { errno = ENOMEM; return 0; }
	void *p = malloc(m * n);
	if (p) memset(p, 0, m * n);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!align || (align & (align - 1))) { errno = EINVAL; return 0; }
	if (align <= HDR) return malloc(n);
	if (n > SIZE_MAX - align - HDR) { errno = ENOMEM; return 0; }
	char *raw = malloc(n + align + HDR);
	if (!raw) return 0;
	char *user = (char *)(((uintptr_t)raw + HDR + align - 1) & ~(uintptr_t)(align - 1));
	struct hdr *ah = (struct hdr *)(user - HDR);
	ah->size = (size_t)(user - raw);
	ah->magic = MAGIC_ALIGNED;
	return user;
}

void *realloc(void *p, size_t n)
{
	if (!p) return malloc(n);
	if (!n) { free(p); return malloc(0); }
	size_t have = malloc_usable_size(p);
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	if (n <= have && h->magic == MAGIC_BLOCK) return p;
	void *q = malloc(n);
	if (!q) return 0;
	memcpy(q, p, have < n ? have : n);
	free(p);
	return q;
}

int posix_memalign(void **res, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
	void *p = aligned_alloc(align, n);
	if (!p) return ENOMEM;
	*res = p;
	return 0;
}

void *memalign(size_t align, size_t n) { return aligned_alloc(align, n); }
void *valloc(size_t n) { return aligned_alloc(PAGE, n); }
void *pvalloc(size_t n) { return aligned_alloc(PAGE, (n + PAGE - 1) & ~(size_t)(PAGE - 1)); }

void *__libc_malloc(size_t n) { return malloc(n); }
void *__libc_calloc(size_t m, size_t n) { return calloc(m, n); }
void *__libc_realloc(void *p, size_t n) { return realloc(p, n); }
void __libc_free(void *p) { free(p); }
