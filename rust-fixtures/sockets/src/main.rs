//! std::net probes on loopback inside the sandbox, one check group per
//! invocation (`sockets <group>`). Everything runs on one thread (std has no
//! threads on wasip2/wasip3), so each exchange is written in lock step with
//! both ends in this process, and every blocking call has a timeout: a broken
//! runtime gives a FAILED line, never a hang.
//!
//! The first socket a group creates reports a documented missing feature as
//! `socket: unsupported: <ErrorKind>` with exit 3 (wasm32-wasip1 and
//! wasm32-wasip1-threads: std::net cannot create sockets there).

use fixture_check::{ensure, ensure_eq, fail, io, must, note, ok};
use std::io::{ErrorKind, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket,
};
use std::time::{Duration, Instant};

const GROUPS: &[&str] = &["tcp-echo", "nonblocking", "timeouts", "shutdown", "udp", "udp-timeout", "resolve", "ipv6"];
const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a first datagram is left waiting in the receiver's queue before the
/// receiver's first recv: a bound socket must keep what arrives before anyone
/// reads, and waiting makes that check independent of scheduling (without it, a
/// runtime that drops such datagrams fails or passes depending on load).
const SETTLE: Duration = Duration::from_millis(100);

fn main() {
    match fixture_check::group(GROUPS).as_str() {
        "tcp-echo" => tcp_echo(),
        "nonblocking" => nonblocking(),
        "timeouts" => timeouts(),
        "shutdown" => shutdown(),
        "udp" => udp(),
        "udp-timeout" => udp_timeout(),
        "resolve" => resolve(),
        "ipv6" => ipv6(),
        _ => unreachable!(),
    }
}

/// A connected pair on loopback: (client, server side of the accepted connection).
fn tcp_pair(check: &str, at: SocketAddr) -> (TcpListener, TcpStream, TcpStream) {
    let listener = io("socket", "TcpListener::bind", TcpListener::bind(at));
    ok("socket");
    let addr = must(check, "local_addr", listener.local_addr());
    ensure(check, addr.port() != 0, || "bound to port 0".into());
    ensure_eq(check, "listener address", addr.ip(), at.ip());
    // connect completes against the listen backlog before accept is called.
    let client = must(check, "TcpStream::connect_timeout", TcpStream::connect_timeout(&addr, TIMEOUT));
    let (server, peer) = must(check, "accept", listener.accept());
    ensure_eq(check, "peer address seen by accept", peer, must(check, "client local_addr", client.local_addr()));
    ensure_eq(check, "client peer_addr", must(check, "peer_addr", client.peer_addr()), addr);
    for s in [&client, &server] {
        must(check, "set_read_timeout", s.set_read_timeout(Some(TIMEOUT)));
        must(check, "set_write_timeout", s.set_write_timeout(Some(TIMEOUT)));
    }
    (listener, client, server)
}

/// FNV-1a, 64 bit.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Deterministic pseudo-random payload (xorshift64*), so a checksum mismatch is reproducible.
fn payload(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn tcp_echo() {
    let (_l, mut client, mut server) = tcp_pair("tcp-connect", LOOPBACK);
    ok("tcp-connect");
    const TOTAL: usize = 1 << 20;
    const CHUNK: usize = 16 << 10;
    let data = payload(TOTAL);
    let mut echoed = Vec::with_capacity(TOTAL);
    let mut buf = vec![0u8; CHUNK];
    let mut back = vec![0u8; CHUNK];
    for (i, chunk) in data.chunks(CHUNK).enumerate() {
        let at = format!("chunk {i} of {}", TOTAL / CHUNK);
        must("tcp-echo", &format!("client write ({at})"), client.write_all(chunk));
        must("tcp-echo", &format!("server read ({at})"), server.read_exact(&mut buf[..chunk.len()]));
        must("tcp-echo", &format!("server write ({at})"), server.write_all(&buf[..chunk.len()]));
        must("tcp-echo", &format!("client read ({at})"), client.read_exact(&mut back[..chunk.len()]));
        echoed.extend_from_slice(&back[..chunk.len()]);
    }
    ensure_eq("tcp-echo", "bytes echoed", echoed.len(), TOTAL);
    ensure_eq("tcp-echo", "FNV-1a of the echo", fnv1a(&echoed), fnv1a(&data));
    ensure("tcp-echo", echoed == data, || "echo differs from what was sent".into());
    note(format!("echoed {TOTAL} bytes, fnv1a {:016x}", fnv1a(&data)));
    ok("tcp-echo");
    // 256 KiB more in non-blocking mode, both ends in one loop: exercises the
    // runtime's buffering and partial writes.
    let big = payload(256 << 10);
    let mut got = Vec::new();
    must("tcp-bulk", "client set_nonblocking", client.set_nonblocking(true));
    must("tcp-bulk", "server set_nonblocking", server.set_nonblocking(true));
    let deadline = Instant::now() + TIMEOUT;
    let mut sent = 0;
    while got.len() < big.len() {
        if Instant::now() > deadline {
            fail("tcp-bulk", format!("sent {sent}, received {} after {TIMEOUT:?}", got.len()));
        }
        if sent < big.len() {
            match client.write(&big[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => fail("tcp-bulk", format!("write: {e}")),
            }
        }
        match server.read(&mut buf) {
            Ok(0) => fail("tcp-bulk", "unexpected end of stream"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => fail("tcp-bulk", format!("read: {e}")),
        }
    }
    ensure("tcp-bulk", got == big, || "bulk transfer corrupted".into());
    ok("tcp-bulk");
}

fn nonblocking() {
    let (listener, mut client, mut server) = tcp_pair("nonblocking", LOOPBACK);
    // accept with nothing pending
    must("nonblocking-accept", "listener set_nonblocking", listener.set_nonblocking(true));
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => ok("nonblocking-accept"),
        Err(e) => fail("nonblocking-accept", format!("expected WouldBlock, got {e} (kind {:?})", e.kind())),
        Ok((_, peer)) => fail("nonblocking-accept", format!("accepted a connection from {peer} that nobody made")),
    }
    // read with no data
    must("nonblocking-read", "set_nonblocking", server.set_nonblocking(true));
    let mut buf = [0u8; 64];
    match server.read(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => fail("nonblocking-read", format!("expected WouldBlock, got {e} (kind {:?})", e.kind())),
        Ok(n) => fail("nonblocking-read", format!("read {n} bytes nobody sent")),
    }
    ok("nonblocking-read");
    // data arrives: poll in a bounded loop
    must("nonblocking-poll", "client write", client.write_all(b"ping"));
    let deadline = Instant::now() + TIMEOUT;
    let mut got = Vec::new();
    while got.len() < 4 {
        match server.read(&mut buf) {
            Ok(0) => fail("nonblocking-poll", "end of stream"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    fail("nonblocking-poll", format!("no data after {TIMEOUT:?}"));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => fail("nonblocking-poll", format!("read: {e}")),
        }
    }
    ensure_eq("nonblocking-poll", "data", got.as_slice(), b"ping".as_slice());
    ok("nonblocking-poll");
    // back to blocking mode
    must("blocking-again", "set_nonblocking(false)", server.set_nonblocking(false));
    must("blocking-again", "client write", client.write_all(b"pong"));
    let mut four = [0u8; 4];
    must("blocking-again", "read_exact", server.read_exact(&mut four));
    ensure_eq("blocking-again", "data", &four, b"pong");
    ok("blocking-again");
}

fn timeouts() {
    let (_l, client, mut server) = tcp_pair("timeouts", LOOPBACK);
    let want = Duration::from_millis(200);
    must("read-timeout", "set_read_timeout", server.set_read_timeout(Some(want)));
    ensure_eq("read-timeout", "read_timeout()", must("read-timeout", "read_timeout", server.read_timeout()), Some(want));
    let start = Instant::now();
    let mut buf = [0u8; 8];
    match server.read(&mut buf) {
        // Unix reports an expired SO_RCVTIMEO as EAGAIN (WouldBlock); Windows as TimedOut.
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        Err(e) => fail("read-timeout", format!("expected WouldBlock or TimedOut, got {e} (kind {:?})", e.kind())),
        Ok(n) => fail("read-timeout", format!("read {n} bytes nobody sent")),
    }
    let waited = start.elapsed();
    ensure("read-timeout", waited >= want - Duration::from_millis(20), || format!("returned after {waited:?}, timeout {want:?}"));
    ensure("read-timeout", waited < want + Duration::from_secs(5), || format!("returned after {waited:?}, timeout {want:?}"));
    ok("read-timeout");
    must("write-timeout", "set_write_timeout", client.set_write_timeout(Some(want)));
    ensure_eq("write-timeout", "write_timeout()", must("write-timeout", "write_timeout", client.write_timeout()), Some(want));
    // A zero timeout is rejected as InvalidInput.
    match server.set_read_timeout(Some(Duration::ZERO)) {
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        other => fail("write-timeout", format!("set_read_timeout(0): expected InvalidInput, got {other:?}")),
    }
    ok("write-timeout");
    must("clear-timeout", "set_read_timeout(None)", server.set_read_timeout(None));
    ensure_eq("clear-timeout", "read_timeout()", must("clear-timeout", "read_timeout", server.read_timeout()), None);
    ok("clear-timeout");
}

fn shutdown() {
    let (_l, mut client, mut server) = tcp_pair("shutdown", LOOPBACK);
    must("shutdown-write", "client write", client.write_all(b"last words"));
    must("shutdown-write", "client shutdown(Write)", client.shutdown(Shutdown::Write));
    let mut got = Vec::new();
    must("shutdown-write", "server read_to_end", server.read_to_end(&mut got));
    ensure_eq("shutdown-write", "data before end of stream", got.as_slice(), b"last words".as_slice());
    ok("shutdown-write");
    // The other direction stays open.
    must("half-open", "server write", server.write_all(b"reply"));
    let mut five = [0u8; 5];
    must("half-open", "client read_exact", client.read_exact(&mut five));
    ensure_eq("half-open", "reply", &five, b"reply");
    ok("half-open");
    // Writing after shutdown(Write) fails.
    match client.write(b"more") {
        Err(_) => ok("write-after-shutdown"),
        Ok(n) => fail("write-after-shutdown", format!("write after shutdown(Write) returned Ok({n})")),
    }
    must("shutdown-both", "server shutdown(Both)", server.shutdown(Shutdown::Both));
    let mut rest = Vec::new();
    must("shutdown-both", "client read_to_end", client.read_to_end(&mut rest));
    ensure_eq("shutdown-both", "bytes after the peer shut down", rest.len(), 0);
    ok("shutdown-both");
}

/// Receive one datagram in non-blocking mode within TIMEOUT (no reliance on
/// SO_RCVTIMEO, which the `udp-timeout` check probes on its own).
fn recv_polling(check: &str, s: &UdpSocket, buf: &mut [u8], connected: bool) -> (usize, SocketAddr) {
    must(check, "set_nonblocking", s.set_nonblocking(true));
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let r = if connected { s.recv(buf).and_then(|n| Ok((n, s.peer_addr()?))) } else { s.recv_from(buf) };
        match r {
            Ok(got) => return got,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    fail(check, format!("no datagram after {TIMEOUT:?}"));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => fail(check, format!("recv: {e} (kind {:?})", e.kind())),
        }
    }
}

fn udp() {
    let a = io("socket", "UdpSocket::bind", UdpSocket::bind(LOOPBACK));
    ok("socket");
    let b = must("udp-bind", "UdpSocket::bind", UdpSocket::bind(LOOPBACK));
    let (a_addr, b_addr) = (must("udp-bind", "local_addr", a.local_addr()), must("udp-bind", "local_addr", b.local_addr()));
    ensure("udp-bind", a_addr.port() != 0 && b_addr.port() != 0 && a_addr != b_addr, || format!("addresses {a_addr}, {b_addr}"));
    ok("udp-bind");
    let mut buf = [0u8; 2048];
    for (i, msg) in [&b"datagram one"[..], &[0xffu8; 1200][..], b""].into_iter().enumerate() {
        ensure_eq("udp-send-recv", "bytes sent", must("udp-send-recv", "send_to", a.send_to(msg, b_addr)), msg.len());
        if i == 0 {
            std::thread::sleep(SETTLE); // b has not read yet: datagram 0 waits in its queue
        }
        let (n, from) = recv_polling(&format!("udp-send-recv (datagram {i})"), &b, &mut buf, false);
        ensure_eq("udp-send-recv", "datagram", &buf[..n], msg);
        ensure_eq("udp-send-recv", "source address", from, a_addr);
    }
    ok("udp-send-recv");
    // connect + send/recv, and datagram boundaries are kept.
    must("udp-connected", "connect", b.connect(a_addr));
    must("udp-connected", "connect", a.connect(b_addr));
    must("udp-connected", "send", b.send(b"first"));
    must("udp-connected", "send", b.send(b"second"));
    let (n, _) = recv_polling("udp-connected", &a, &mut buf, true);
    ensure_eq("udp-connected", "first datagram", &buf[..n], b"first");
    let (n, _) = recv_polling("udp-connected", &a, &mut buf, true);
    ensure_eq("udp-connected", "second datagram", &buf[..n], b"second");
    ensure_eq("udp-connected", "peer_addr", must("udp-connected", "peer_addr", a.peer_addr()), b_addr);
    ok("udp-connected");
}

/// A blocking recv with SO_RCVTIMEO set and nothing to receive returns after the timeout.
fn udp_timeout() {
    let a = io("socket", "UdpSocket::bind", UdpSocket::bind(LOOPBACK));
    ok("socket");
    let mut buf = [0u8; 64];
    must("udp-timeout", "set_read_timeout", a.set_read_timeout(Some(Duration::from_millis(100))));
    let start = Instant::now();
    match a.recv(&mut buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => fail("udp-timeout", format!("expected WouldBlock or TimedOut, got {other:?}")),
    }
    ensure("udp-timeout", start.elapsed() >= Duration::from_millis(80), || format!("returned after {:?}", start.elapsed()));
    ok("udp-timeout");
}

fn resolve() {
    // Literal addresses parse without any lookup.
    let lit: Vec<SocketAddr> = must("resolve-literal", "\"127.0.0.1:80\"", "127.0.0.1:80".to_socket_addrs()).collect();
    ensure_eq("resolve-literal", "addresses", lit, vec![SocketAddr::from(([127, 0, 0, 1], 80))]);
    let lit6: Vec<SocketAddr> = must("resolve-literal", "\"[::1]:443\"", "[::1]:443".to_socket_addrs()).collect();
    ensure_eq("resolve-literal", "addresses", lit6, vec![SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 443)]);
    ok("resolve-literal");
    // A name goes through the platform's resolver.
    let found: Vec<SocketAddr> = match "localhost:0".to_socket_addrs() {
        Ok(it) => it.collect(),
        Err(e) if e.kind() == ErrorKind::Unsupported => fixture_check::unsupported("resolve-localhost", e.kind()),
        Err(e) => fail("resolve-localhost", format!("\"localhost:0\": {e} (kind {:?})", e.kind())),
    };
    note(format!("localhost:0 -> {found:?}"));
    ensure("resolve-localhost", !found.is_empty(), || "no addresses".into());
    ensure("resolve-localhost", found.iter().all(|a| a.ip().is_loopback() && a.port() == 0), || format!("non-loopback result {found:?}"));
    ok("resolve-localhost");
    // And what it found can be bound.
    let v4 = found.iter().find(|a| a.is_ipv4()).copied().unwrap_or(LOOPBACK);
    let l = io("socket", "TcpListener::bind", TcpListener::bind(v4));
    ensure("resolve-bind", must("resolve-bind", "local_addr", l.local_addr()).port() != 0, || "port 0".into());
    ok("resolve-bind");
}

fn ipv6() {
    let at = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0);
    // IPv6 may be switched off in the sandbox (the container's loopback has no ::1):
    // report that as unsupported with its error kind rather than as a failure.
    let listener = match TcpListener::bind(at) {
        Ok(l) => l,
        Err(e) if matches!(e.kind(), ErrorKind::Unsupported | ErrorKind::AddrNotAvailable) => {
            note(format!("bind [::1]:0: {e}"));
            fixture_check::unsupported("ipv6", e.kind())
        }
        Err(e) => fail("ipv6", format!("bind [::1]:0: {e} (kind {:?})", e.kind())),
    };
    ok("socket");
    let addr = must("ipv6-tcp", "local_addr", listener.local_addr());
    ensure("ipv6-tcp", addr.is_ipv6() && addr.ip().is_loopback(), || format!("bound to {addr}"));
    let mut client = must("ipv6-tcp", "connect", TcpStream::connect_timeout(&addr, TIMEOUT));
    let (mut server, _) = must("ipv6-tcp", "accept", listener.accept());
    must("ipv6-tcp", "set_read_timeout", server.set_read_timeout(Some(TIMEOUT)));
    must("ipv6-tcp", "set_read_timeout", client.set_read_timeout(Some(TIMEOUT)));
    must("ipv6-tcp", "write", client.write_all(b"hello over ::1"));
    let mut buf = [0u8; 14];
    must("ipv6-tcp", "read_exact", server.read_exact(&mut buf));
    ensure_eq("ipv6-tcp", "data", &buf, b"hello over ::1");
    ok("ipv6-tcp");
    let a = must("ipv6-udp", "bind", UdpSocket::bind(at));
    let b = must("ipv6-udp", "bind", UdpSocket::bind(at));
    let b_addr = must("ipv6-udp", "local_addr", b.local_addr());
    must("ipv6-udp", "send_to", a.send_to(b"v6 datagram", b_addr));
    std::thread::sleep(SETTLE); // b has not read yet: the datagram waits in its queue
    let mut dbuf = [0u8; 64];
    let (n, from) = recv_polling("ipv6-udp", &b, &mut dbuf, false);
    ensure_eq("ipv6-udp", "datagram", &dbuf[..n], b"v6 datagram");
    ensure_eq("ipv6-udp", "source", from, must("ipv6-udp", "local_addr", a.local_addr()));
    ok("ipv6-udp");
}
