/*
 * Thread creation, exit, join and detach for wasi-threads, plus the futex
 * primitives musl's synchronisation code is built on.  Written for
 * wasm-conformance; it plugs into musl's pthread internals (pthread_impl.h
 * as modified by wasi-libc) so that musl's mutex, condvar, rwlock, once,
 * barrier, semaphore and key code can be used unchanged.
 *
 * A thread's memory is one malloc'd block:
 *   [ stack (grows down) | TLS block | TSD array | start args ]
 * pthread_t points into the TLS block, at that thread's copy of
 * __wasilibc_pthread_self.
 */
#include "pthread_impl.h"
#include "stdio_impl.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void __wasm_init_tls(void *);
hidden void __wl_set_tls_base(void *);
int32_t __wasi_thread_spawn(void *start_arg);

/* Thread ids handed out by the host are in [1, 0x1FFFFFFF]; the main thread
 * gets one outside that range so lock owner fields never collide. */
#define MAIN_TID 0x20000000

struct wl_start_args {
	void *stack_top;            /* offset 0: read by wasi_thread_start */
	void *tls_base;             /* offset 4: read by wasi_thread_start */
	void *(*entry)(void *);
	void *arg;
};

/* ---- futex-style waiting -------------------------------------------- */

/* Returns 0 when woken or the value differed, -ETIMEDOUT on timeout. */
int __wasilibc_futex_wait(volatile void *addr, int op, int val, int64_t max_wait_ns)
{
	(void)op;
	if ((uintptr_t)addr & 3) return -EINVAL;
	int r = __builtin_wasm_memory_atomic_wait32((int *)addr, val, max_wait_ns);
	return r == 2 ? -ETIMEDOUT : 0;
}

void __wait(volatile int *addr, volatile int *waiters, int val, int priv)
{
	int spins = 100;
	(void)priv;
	while (spins-- && (!waiters || !*waiters)) {
		if (*addr == val) a_spin();
		else return;
	}
	if (waiters) a_inc(waiters);
	while (*addr == val)
		__builtin_wasm_memory_atomic_wait32((int *)addr, val, -1);
	if (waiters) a_dec(waiters);
}

int __timedwait_cp(volatile int *addr, int val, clockid_t clk,
                   const struct timespec *at, int priv)
{
	int64_t ns = -1;
	(void)priv;
	if (at) {
		struct timespec now;
		if ((unsigned long)at->tv_nsec >= 1000000000UL) return EINVAL;
		if (clock_gettime(clk, &now)) return EINVAL;
		int64_t sec = (int64_t)at->tv_sec - now.tv_sec;
		int64_t nsec = (int64_t)at->tv_nsec - now.tv_nsec;
		if (nsec < 0) { sec--; nsec += 1000000000; }
		if (sec < 0) return ETIMEDOUT;
		if (sec > 0x7fffffffLL) sec = 0x7fffffffLL;
		ns = sec * 1000000000 + nsec;
	}
	int r = __builtin_wasm_memory_atomic_wait32((int *)addr, val, ns);
	return r == 2 ? ETIMEDOUT : 0;
}

int __timedwait(volatile int *addr, int val, clockid_t clk,
                const struct timespec *at, int priv)
{
	return __timedwait_cp(addr, val, clk, at, priv);
}

/* ---- the thread list ---------------------------------------------------- */

volatile int __thread_list_lock;

void __tl_lock(void)
{
	int tid = __pthread_self()->tid, c;
	while ((c = a_cas(&__thread_list_lock, 0, tid)))
		__wait(&__thread_list_lock, 0, c, 0);
}

void __tl_unlock(void)
{
	a_store(&__thread_list_lock, 0);
	__wake(&__thread_list_lock, 1, 0);
}

void __tl_sync(pthread_t td)
{
	(void)td;
	__tl_lock();
	__tl_unlock();
}

/* ---- main thread setup (called from crt1's _start) ---------------------- */

extern unsigned char __stack_low;
extern unsigned char __stack_high;

void __wasi_init_tp(void)
{
	struct pthread *self = __pthread_self();
	self->self = self;
	self->prev = self->next = self;
	self->tid = MAIN_TID;
	self->detach_state = DT_JOINABLE;
	self->locale = &libc.global_locale;
	self->robust_list.head = &self->robust_list.head;
	self->tsd = (void **)__pthread_tsd_main;
	/* wasm-ld marks the main thread's stack with these two symbols. */
	self->stack = &__stack_high;
	self->stack_size = (size_t)(&__stack_high - &__stack_low);
}

/* ---- creation ------------------------------------------------------------ */

static FILE *volatile dummy_file = 0;
weak_alias(dummy_file, __stdin_used);
weak_alias(dummy_file, __stdout_used);
weak_alias(dummy_file, __stderr_used);

static void init_file_lock(FILE *f)
{
	if (f && f->lock < 0) f->lock = 0;
}

static void dummy_0(void) {}
weak_alias(dummy_0, __pthread_tsd_run_dtors);

#define ALIGN_UP(x, a) (((uintptr_t)(x) + ((a) - 1)) & ~(uintptr_t)((a) - 1))

static void thread_finish(void *result);

/* Called by wasi_thread_start once the stack and TLS globals are set. */
hidden void __wl_thread_entry(int tid, struct wl_start_args *args)
{
	struct pthread *self = __pthread_self();
	a_store(&self->tid, tid);
	void *(*entry)(void *) = args->entry;
	void *arg = args->arg;
	thread_finish(entry(arg));
}

int __pthread_create(pthread_t *restrict res, const pthread_attr_t *restrict attrp,
                     void *(*entry)(void *), void *restrict arg)
{
	pthread_attr_t attr = { 0 };
	pthread_t self = __pthread_self(), new;

	if (attrp && attrp != __ATTRP_C11_THREAD) attr = *attrp;

	if (!libc.threaded) {
		for (FILE *f = *__ofl_lock(); f; f = f->next)
			init_file_lock(f);
		__ofl_unlock();
		init_file_lock(__stdin_used);
		init_file_lock(__stdout_used);
		init_file_lock(__stderr_used);
		libc.threaded = 1;
	}

	size_t stack_size = attr._a_stacksize ? attr._a_stacksize : __default_stacksize;
	size_t tls_size = __builtin_wasm_tls_size();
	size_t tls_align = __builtin_wasm_tls_align();
	size_t tsd_size = __pthread_tsd_size;
	if (tls_align < 16) tls_align = 16;

	unsigned char *stack_top;
	size_t need = tls_align + tls_size + sizeof(void *) + tsd_size
	            + 16 + sizeof(struct wl_start_args);
	if (!attr._a_stackaddr) {
		if (stack_size > SIZE_MAX / 2) return EINVAL;
		need += 16 + stack_size;
	}
	unsigned char *map = malloc(need);
	if (!map) return EAGAIN;

	unsigned char *p = map;
	if (attr._a_stackaddr) {
		stack_top = (unsigned char *)(attr._a_stackaddr & -16);
	} else {
		stack_top = (unsigned char *)(ALIGN_UP(p, 16) + stack_size);
		stack_top = (unsigned char *)((uintptr_t)stack_top & -16);
		p = stack_top;
	}
	unsigned char *tls = (unsigned char *)ALIGN_UP(p, tls_align);
	void **tsd = (void **)ALIGN_UP(tls + tls_size, sizeof(void *));
	struct wl_start_args *args =
		(struct wl_start_args *)ALIGN_UP((unsigned char *)tsd + tsd_size, 16);
	memset(tsd, 0, tsd_size);

	/* Lay down the TLS image for the new thread, then take ours back. */
	void *my_tls = __builtin_wasm_tls_base();
	__wasm_init_tls(tls);
	__wl_set_tls_base(my_tls);

	new = (pthread_t)(tls + ((unsigned char *)self - (unsigned char *)my_tls));
	new->self = new;
	new->map_base = map;
	new->map_size = need;
	new->stack = stack_top;
	new->stack_size = stack_size;
	new->tsd = tsd;
	new->locale = &libc.global_locale;
	new->robust_list.head = &new->robust_list.head;
	new->canary = self->canary;
	new->detach_state = attr._a_detach ? DT_DETACHED : DT_JOINABLE;

	args->stack_top = stack_top;
	args->tls_base = tls;
	args->entry = entry;
	args->arg = arg;

	__tl_lock();
	if (!libc.threads_minus_1++) libc.need_locks = 1;
	new->next = self->next;
	new->prev = self;
	new->next->prev = new;
	new->prev->next = new;
	__tl_unlock();

	int tid = __wasi_thread_spawn(args);
	if (tid < 0) {
		__tl_lock();
		new->next->prev = new->prev;
		new->prev->next = new->next;
		if (!--libc.threads_minus_1) libc.need_locks = 0;
		__tl_unlock();
		free(map);
		return EAGAIN;
	}
	*res = new;
	return 0;
}

/* ---- exit, join, detach --------------------------------------------------- */

/* Runs on the exiting thread.  After the joiner (or, for a detached thread,
 * free) can reclaim the block, nothing here touches linear memory again. */
static void thread_finish(void *result)
{
	pthread_t self = __pthread_self();
	self->result = result;

	while (self->cancelbuf) {
		struct __ptcb *cb = self->cancelbuf;
		self->cancelbuf = cb->__next;
		cb->__f(cb->__x);
	}
	__pthread_tsd_run_dtors();

	__tl_lock();
	self->next->prev = self->prev;
	self->prev->next = self->next;
	self->prev = self->next = self;
	if (!--libc.threads_minus_1) libc.need_locks = -1;
	__tl_unlock();

	int state = a_cas(&self->detach_state, DT_JOINABLE, DT_EXITING);
	if (state == DT_DETACHED) {
		free(self->map_base);
		return;
	}
	a_store(&self->detach_state, DT_EXITED);
	__wake(&self->detach_state, 1, 1);
}

static volatile int park_forever;

_Noreturn void __pthread_exit(void *result)
{
	pthread_t self = __pthread_self();
	if (self->tid == MAIN_TID) exit(0);
	/* There is no way to unwind out of wasi_thread_start without exception
	 * handling: finish the thread's bookkeeping, then block for good. */
	thread_finish(result);
	for (;;) __builtin_wasm_memory_atomic_wait32((int *)&park_forever, 0, -1);
}

int __pthread_timedjoin_np(pthread_t t, void **res, const struct timespec *at)
{
	int state;
	if (t == __pthread_self()) return EDEADLK;
	while ((state = t->detach_state) != DT_EXITED) {
		if (state == DT_DETACHED) return EINVAL;
		if (__timedwait(&t->detach_state, state, CLOCK_REALTIME, at, 1) == ETIMEDOUT)
			return ETIMEDOUT;
	}
	a_barrier();
	if (res) *res = t->result;
	free(t->map_base);
	return 0;
}

int __pthread_join(pthread_t t, void **res)
{
	return __pthread_timedjoin_np(t, res, 0);
}

int __pthread_tryjoin_np(pthread_t t, void **res)
{
	return t->detach_state == DT_JOINABLE ? EBUSY : __pthread_join(t, res);
}

int __pthread_detach(pthread_t t)
{
	if (a_cas(&t->detach_state, DT_JOINABLE, DT_DETACHED) != DT_JOINABLE)
		return __pthread_join(t, 0);
	return 0;
}

weak_alias(__pthread_create, pthread_create);
weak_alias(__pthread_exit, pthread_exit);
weak_alias(__pthread_join, pthread_join);
weak_alias(__pthread_timedjoin_np, pthread_timedjoin_np);
weak_alias(__pthread_tryjoin_np, pthread_tryjoin_np);
weak_alias(__pthread_detach, pthread_detach);
weak_alias(__pthread_detach, thrd_detach);
