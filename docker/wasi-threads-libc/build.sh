#!/usr/bin/env bash
# Build a threaded (wasi-threads, THREAD_MODEL=posix) wasi-libc for rustc's
# wasm32-wasip1-threads target and install crt1-command.o, crt1-reactor.o and
# libc.a (plus empty stand-in archives) into OUTDIR.
#
#   build.sh OUTDIR
#
# Needs clang-22, llvm-22 (llvm-ar), python3 with pip, and network access to
# PyPI (for the ziglang wheel, which carries musl and wasi-libc sources).
# See README.md for what comes from where.
set -euo pipefail

OUT=${1:?usage: build.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
# Two ziglang wheels (wheels.txt, with their sha256): 0.17.1 carries wasi-libc's
# current top half (with the _REENTRANT code paths); 0.14.1 still carries the musl
# string/stdlib/math sources that newer zig replaced with its own Zig code.
CC=${CC:-clang-22}
AR=${AR:-llvm-ar-22}
JOBS=${JOBS:-$(nproc)}
if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d /tmp/wasi-threads-libc.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
fi

mkdir -p "$OUT" "$WORK"
cd "$WORK"

# ---- 1. sources: musl + wasi-libc as shipped in the ziglang wheel ------------
grep '^ziglang==' "$HERE/wheels.txt" | while read -r requirement; do
    v=${requirement%% *} v=${v#ziglang==}
    if ! ls ziglang-"$v"-*.whl >/dev/null 2>&1; then
        # pip checks the wheel against the line's --hash (a requirements file of one line)
        echo "$requirement" > "requirement-$v.txt"
        python3 -m pip download --no-deps --only-binary=:all: --require-hashes -d . \
            -r "requirement-$v.txt" >pip.log 2>&1 || { cat pip.log; exit 1; }
    fi
    whl=$(ls ziglang-"$v"-*.whl)
    rm -rf "z$v" && mkdir "z$v"
    python3 - "$whl" "z$v" <<'PY'
import sys, zipfile
want = ("ziglang/lib/libc/musl/", "ziglang/lib/libc/wasi/",
        "ziglang/lib/libc/include/generic-musl/", "ziglang/lib/libc/include/wasm-wasi-musl/")
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(want)])
PY
done
O=z0.14.1/ziglang/lib/libc
L=z0.17.1/ziglang/lib/libc

# zig stores only the files wasi-libc changed under wasi/libc-top-half/musl;
# lay them over plain musl to get wasi-libc's top half (older wheel first,
# newer on top).
S=$WORK/src
rm -rf "$S" && mkdir -p "$S/musl"
cp -r "$O/musl/." "$S/musl/"
cp -r "$O/wasi/libc-top-half/musl/." "$S/musl/"
cp -r "$L/musl/." "$S/musl/"
cp -r "$L/wasi/libc-top-half/musl/." "$S/musl/"
cp -r "$L/wasi/libc-bottom-half" "$S/bottom"
mkdir -p "$S/top-headers" && cp -r "$L/wasi/libc-top-half/headers/private" "$S/top-headers/"
cp -r "$L/wasi/libc-top-half/sources" "$S/top-sources"

# Public headers, as zig installs them: generic musl, then the wasi overlay.
INC=$WORK/include
rm -rf "$INC" && mkdir -p "$INC"
cp -r "$L/include/generic-musl/." "$INC/"
cp -r "$L/include/wasm-wasi-musl/." "$INC/"
rm -f "$INC/stdarg.h" "$INC/stddef.h"    # use clang's

# ---- 2. the list of C files ---------------------------------------------------
M=$S/musl/src
list() { for f in "$@"; do [ -f "$f" ] && echo "$f"; done; return 0; }
except() { # except DIR name...: DIR/*.c minus the named files
    local d=$1; shift
    for f in "$d"/*.c; do
        local b=${f##*/} skip=
        for x in "$@"; do [ "$b" = "$x" ] && skip=1; done
        [ -z "$skip" ] && echo "$f"
    done; return 0
}
{
  # musl files wasi-libc builds (its Makefile's LIBC_TOP_HALF_MUSL_SOURCES)
  for f in misc/a64l.c misc/basename.c misc/dirname.c misc/ffs.c misc/ffsl.c \
      misc/ffsll.c misc/fmtmsg.c misc/getdomainname.c misc/gethostid.c misc/getopt.c \
      misc/getopt_long.c misc/getsubopt.c misc/uname.c misc/nftw.c errno/strerror.c \
      network/htonl.c network/htons.c network/ntohl.c network/ntohs.c \
      network/inet_ntop.c network/inet_pton.c network/inet_aton.c \
      network/in6addr_any.c network/in6addr_loopback.c fenv/fenv.c fenv/fesetround.c \
      fenv/feupdateenv.c fenv/fesetexceptflag.c fenv/fegetexceptflag.c \
      fenv/feholdexcept.c exit/exit.c exit/atexit.c exit/assert.c exit/quick_exit.c \
      exit/at_quick_exit.c time/strftime.c time/asctime.c time/asctime_r.c \
      time/ctime.c time/ctime_r.c time/wcsftime.c time/strptime.c time/difftime.c \
      time/timegm.c time/ftime.c time/gmtime.c time/gmtime_r.c time/timespec_get.c \
      time/getdate.c time/localtime.c time/localtime_r.c time/mktime.c \
      time/__tm_to_secs.c time/__month_to_secs.c time/__secs_to_tm.c \
      time/__year_to_secs.c time/__tz.c fcntl/creat.c dirent/alphasort.c \
      dirent/versionsort.c env/__stack_chk_fail.c env/clearenv.c env/getenv.c \
      env/putenv.c env/setenv.c env/unsetenv.c unistd/posix_close.c stat/futimesat.c \
      legacy/getpagesize.c; do list "$M/$f"; done
  except "$M/internal" procfdname.c syscall.c syscall_ret.c vdso.c version.c emulate_wait4.c
  except "$M/stdio" rename.c tmpnam.c tmpfile.c tempnam.c popen.c pclose.c remove.c gets.c
  except "$M/string" strsignal.c memset.c memcpy.c memmove.c
  except "$M/locale" dcngettext.c textdomain.c bind_textdomain_codeset.c
  for d in stdlib search multibyte regex prng conf ctype crypt; do except "$M/$d"; done
  except "$M/math" __signbit.c __signbitf.c __signbitl.c __fpclassify.c __fpclassifyf.c \
      __fpclassifyl.c ceilf.c ceil.c floorf.c floor.c truncf.c trunc.c rintf.c rint.c \
      nearbyintf.c nearbyint.c sqrtf.c sqrt.c fabsf.c fabs.c copysignf.c copysign.c \
      fminf.c fmaxf.c fmin.c fmax.c
  except "$M/complex" crealf.c creal.c creall.c cimagf.c cimag.c cimagl.c
  # THREAD_MODEL=posix: musl's thread code, minus what needs Linux syscalls or
  # is replaced by src/pthread_wasi.c
  except "$M/thread" __set_thread_area.c __syscall_cp.c __timedwait.c __tls_get_addr.c \
      __unmapself.c __wait.c clone.c pthread_atfork.c pthread_create.c pthread_detach.c \
      pthread_getattr_np.c pthread_getcpuclockid.c pthread_getschedparam.c pthread_join.c \
      pthread_kill.c pthread_setschedparam.c pthread_setschedprio.c pthread_sigmask.c \
      pthread_getname_np.c pthread_setname_np.c sem_open.c synccall.c syscall_cp.c \
      thrd_sleep.c thrd_yield.c tls.c pthread_cancel.c sem_unlink.c | sed 's/^/thr /'
  find "$S/top-sources" -name '*.c'
} | sed '/^thr /!s/^/top /' | sort -u -k2 > top.list
{
  find "$S/bottom/cloudlibc/src" "$S/bottom/sources" -name '*.c' | grep -v '/chdir\.c$' | sort
  echo "$S/bottom/sources/chdir.c"   # keep last, as wasi-libc does
} > bottom.list

# ---- 3. compile ------------------------------------------------------------------
CFLAGS="--target=wasm32-wasip1-threads -pthread -matomics -mbulk-memory -mthread-model posix
  -O2 -DNDEBUG -fno-trapping-math -nostdlibinc -isystem $INC -w"
TOPFLAGS="-I$M/include -I$M/internal -I$S/musl/arch/wasm32 -I$S/musl/arch/generic
  -I$S/top-headers/private -I$S/bottom/cloudlibc/src"
THRFLAGS="$TOPFLAGS -include $HERE/src/thread_compat.h"
BOTFLAGS="-I$S/bottom/headers/private -I$S/bottom/cloudlibc/src/include -I$S/bottom/cloudlibc/src
  -I$M/include -I$M/internal -I$S/musl/arch/wasm32 -I$S/musl/arch/generic"
export CC CFLAGS TOPFLAGS THRFLAGS BOTFLAGS WORK
rm -rf obj && mkdir -p obj/top obj/bot

cc_one() { # cc_one KIND FILE   (KIND: top, thr or bot)
    local dir=top; [ "$1" = bot ] && dir=bot
    local o="$WORK/obj/$dir/$(echo "${2#$WORK/src/}" | tr / _ | sed 's/\.[cs]$/.o/')"
    case $1 in
        top) $CC $CFLAGS $TOPFLAGS -c "$2" -o "$o" ;;
        thr) $CC $CFLAGS $THRFLAGS -c "$2" -o "$o" ;;
        bot) $CC $CFLAGS $BOTFLAGS -c "$2" -o "$o" ;;
    esac
}
export -f cc_one
sed 's/^bot //' bottom.list | sed 's/^/bot /' >> top.list
xargs -P "$JOBS" -L1 bash -c 'cc_one "$0" "$1"' < top.list

# our own pieces: threads, futex waits, malloc, the thread entry point
$CC $CFLAGS $TOPFLAGS -c "$HERE/src/pthread_wasi.c" -o obj/top/wl_pthread_wasi.o
$CC $CFLAGS -c "$HERE/src/malloc.c" -o obj/top/wl_malloc.o
$CC $CFLAGS -c "$HERE/src/memcpy.c" -o obj/top/wl_memcpy.o
$CC $CFLAGS $BOTFLAGS -c "$HERE/src/close.c" -o obj/top/wl_close.o
$CC --target=wasm32-wasip1-threads -matomics -mbulk-memory -c "$HERE/src/wasi_thread_start.s" \
    -o obj/top/wl_wasi_thread_start.o

for crt in crt1-command crt1-reactor; do
    $CC $CFLAGS $BOTFLAGS -c "$S/bottom/crt/$crt.c" -o "$WORK/$crt.o"
done

# ---- 4. archive and install --------------------------------------------------------
rm -f libc.a
( cd obj && ls top/*.o | sort > ../objs.list && ls bot/*.o | grep -v '_chdir\.o$' | sort >> ../objs.list \
  && ls bot/*_chdir.o >> ../objs.list && "$AR" crs ../libc.a $(cat ../objs.list) )
install -m 644 libc.a crt1-command.o crt1-reactor.o "$OUT/"
# rustc's self-contained link line may name these; musl keeps them empty.
# libunwind.a: only linked when Rust code is built with -Cpanic=unwind.
$CC --target=wasm32-wasip1-threads -pthread -matomics -mbulk-memory -mexception-handling -O2 -nostdlibinc -isystem "$INC" \
    -c "$HERE/src/unwind.c" -o wl_unwind.o
$CC --target=wasm32-wasip1-threads -matomics -mbulk-memory -mexception-handling \
    -c "$HERE/src/cpp_exception_tag.s" -o wl_cpp_exception_tag.o
rm -f "$OUT/libunwind.a" && "$AR" crs "$OUT/libunwind.a" wl_unwind.o wl_cpp_exception_tag.o
for lib in m pthread rt dl util crypt resolv xnet; do
    "$AR" crs "$OUT/lib$lib.a"
done
echo "installed into $OUT: $(ls "$OUT" | tr '\n' ' ')"
