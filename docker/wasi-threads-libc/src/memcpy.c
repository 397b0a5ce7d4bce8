/* memcpy, memmove and memset for wasm with bulk memory: the compiler lowers these
 * builtins to the memory.copy instruction (no call back into memcpy). */
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return __builtin_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	return __builtin_memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	return __builtin_memset(dst, c, n);
}
