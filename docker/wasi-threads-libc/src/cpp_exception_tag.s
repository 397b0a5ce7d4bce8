# The exception tag LLVM uses for wasm exceptions thrown with tag 0 (the
# Itanium C++ ABI tag, which Rust's panic=unwind also uses): one i32 payload,
# the address of the _Unwind_Exception.
	.globl	__cpp_exception
	.tagtype	__cpp_exception i32
__cpp_exception:
