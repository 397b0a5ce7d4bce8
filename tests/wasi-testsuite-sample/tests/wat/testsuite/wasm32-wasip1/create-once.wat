;; Creates made.cleanup in the preopened root, failing if it is already there: it passes
;; only in a root from which earlier runs' *.cleanup files were removed.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "made.cleanup")
  (data (i32.const 96) "made.cleanup was already there\n")
  (func (export "_start")
    ;; oflags: creat (1) | excl (4); rights: fd_write (1 << 6)
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 12)
                       (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
      (then (return)))
    (i32.store (i32.const 16) (i32.const 96))
    (i32.store (i32.const 20) (i32.const 31))
    (drop (call $fd_write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $proc_exit (i32.const 1))))
