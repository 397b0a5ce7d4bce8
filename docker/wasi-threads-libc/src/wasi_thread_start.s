# Entry point of a thread spawned through the `wasi` `thread-spawn` import.
#
# The host instantiates the module again on the shared memory and calls the
# exported `wasi_thread_start(tid, start_arg)`.  In that fresh instance the
# globals `__stack_pointer` and `__tls_base` still hold their link-time
# values (the main thread's), so they have to be pointed at this thread's own
# stack and TLS block before any C code runs.  `start_arg` is the address of a
# `struct wl_start_args` (see pthread_wasi.c): word 0 is the top of the new
# stack, word 1 the already-initialised TLS block.

	.text

	.globaltype	__stack_pointer, i32
	.globaltype	__tls_base, i32
	.functype	__wl_thread_entry (i32, i32) -> ()

	.export_name	wasi_thread_start, wasi_thread_start
	.globl	wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	1
	i32.load	4
	global.set	__tls_base
	local.get	0
	local.get	1
	call	__wl_thread_entry
	end_function

# void __wl_set_tls_base(void *): used by pthread_create after it has run
# the linker's `__wasm_init_tls` on a new thread's block, to give the calling
# thread its own TLS base back.
	.hidden	__wl_set_tls_base
	.globl	__wl_set_tls_base
	.type	__wl_set_tls_base,@function
__wl_set_tls_base:
	.functype	__wl_set_tls_base (i32) -> ()
	local.get	0
	global.set	__tls_base
	end_function
