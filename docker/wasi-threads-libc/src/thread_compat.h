/*
 * Force-included (-include) into musl's src/thread/*.c for the wasi-threads
 * build.  musl reaches the kernel futex directly in a few places (condvar
 * requeue, barrier owner wait, PI/robust mutex paths); WASI has no syscalls,
 * so route those to wasm atomic wait/notify, or report ENOSYS for the
 * PI/robust paths that wasi-libc refuses to enable anyway.
 */
#include "pthread_impl.h"
#include <stdarg.h>
#include <time.h>

hidden void __vm_wait(void);
hidden void __vm_lock(void);
hidden void __vm_unlock(void);
_Noreturn void __pthread_exit(void *);

static inline long __wl_futex(volatile void *addr, int op, ...)
{
	va_list ap;
	long a;
	va_start(ap, op);
	a = va_arg(ap, long);
	va_end(ap);
	switch (op & ~FUTEX_PRIVATE) {
	case FUTEX_WAIT:
		__builtin_wasm_memory_atomic_wait32((int *)addr, (int)a, -1);
		return 0;
	case FUTEX_REQUEUE:
		/* wake the waiter instead of moving it to the mutex word: it
		 * then contends for the mutex itself */
		__wake(addr, 1, 1);
		return 0;
	default:
		return -ENOSYS;
	}
}
#define __wl_syscall_SYS_futex(...) __wl_futex(__VA_ARGS__)
#define __wl_syscall_SYS_set_robust_list(...) 0L
#define __syscall(nr, ...) __wl_syscall_##nr(__VA_ARGS__)

/* musl keeps a condvar's clock as an int id; wasi's clockid_t is a pointer. */
#define __wl_clk(c) _Generic((c), int: ((c) ? CLOCK_MONOTONIC : CLOCK_REALTIME), default: (c))
#define __timedwait_cp(a, v, c, t, p) (__timedwait_cp)(a, v, __wl_clk(c), t, p)
#define __timedwait(a, v, c, t, p) (__timedwait)(a, v, __wl_clk(c), t, p)
