//! Tries to read files outside its preopened directory `/data`.
//! Prints `read <path>: denied: <kind>` per refusal, `read <path>: LEAKED` per success.
fn main() {
    match std::fs::read_to_string("/data/inside.txt") {
        Ok(text) => println!("preopen: ok: {}", text.trim()),
        Err(error) => println!("preopen: FAILED: {:?}", error.kind()),
    }
    let mut leaked = false;
    for path in [
        "/etc/passwd",
        "/data/../etc/passwd",
        "/data/../../etc/passwd",
        "../../etc/passwd",
        "/proc/self/environ",
        "/artifacts",
    ] {
        match std::fs::read(path) {
            Ok(bytes) => {
                leaked = true;
                println!("read {path}: LEAKED {} bytes", bytes.len());
            }
            Err(error) => println!("read {path}: denied: {:?}", error.kind()),
        }
    }
    if leaked {
        std::process::exit(1);
    }
    println!("escape: all denied");
}
