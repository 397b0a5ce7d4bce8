//! Connects to a TEST-NET-1 address (RFC 5737, never routed) and to its own loopback.
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

fn main() {
    let outside = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 47001));
    match TcpStream::connect_timeout(&outside, Duration::from_secs(3)) {
        Ok(_) => {
            println!("dial {outside}: CONNECTED");
            std::process::exit(1);
        }
        Err(error) => println!("dial {outside}: blocked: {:?}", error.kind()),
    }
    // Loopback must still work, or the refusal above proves nothing.
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
        Ok(listener) => listener,
        Err(error) => {
            println!("loopback: unsupported: {:?}", error.kind());
            std::process::exit(3);
        }
    };
    let addr = listener.local_addr().expect("local_addr");
    match TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
        Ok(_) => println!("loopback: ok"),
        Err(error) => println!("loopback: FAILED: {:?}", error.kind()),
    }
}
