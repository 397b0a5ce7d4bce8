/*
 * libunwind.a for Rust's panic=unwind on wasm32-wasip1-threads (build-std
 * with -Cpanic=unwind -Ctarget-feature=+exception-handling).  Rust's std
 * only needs these two entry points from the unwinder; wasm exception
 * handling does the actual unwinding.  Throwing with tag 0 (LLVM's C++
 * exception tag, `__cpp_exception`, which this object defines) is what
 * Rust's landing pads catch.
 */
#include <stdint.h>

struct _Unwind_Exception {
	uint64_t exception_class;
	void (*exception_cleanup)(int, struct _Unwind_Exception *);
	uintptr_t private_1, private_2;
};

#define URC_FOREIGN_EXCEPTION_CAUGHT 1

void _Unwind_DeleteException(struct _Unwind_Exception *e)
{
	if (e->exception_cleanup)
		e->exception_cleanup(URC_FOREIGN_EXCEPTION_CAUGHT, e);
}

int _Unwind_RaiseException(struct _Unwind_Exception *e)
{
	__builtin_wasm_throw(0, e);
}
