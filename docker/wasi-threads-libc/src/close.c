// close(2) for the threaded libc. The wasi-libc sources in the ziglang wheel leave it
// out (zig's own libc glue provides it); Rust's std calls it for every file and socket.
#include <errno.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc.h>

void __wasilibc_populate_preopens(void);  // wasi-libc, preopens.c

int close(int fd) {
    // Learn the preopened directories before any descriptor number can be reused.
    __wasilibc_populate_preopens();
    __wasi_errno_t error = __wasi_fd_close(fd);
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}
