//! Spawns threads that never finish, without bound (wasm32-wasip1-threads).
use std::time::Duration;

fn main() {
    let mut handles = Vec::new();
    loop {
        let spawned = std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(|| loop { std::thread::sleep(Duration::from_secs(3600)) });
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(error) => {
                println!("threads: spawn failed after {}: {:?}", handles.len(), error.kind());
                std::process::exit(2);
            }
        }
        if handles.len() % 64 == 0 {
            println!("threads: {}", handles.len());
        }
    }
}
