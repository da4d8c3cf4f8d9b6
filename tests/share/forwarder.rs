//! A TCP forwarder on 127.0.0.1 the test can cut and restore on the same port: the network
//! between a walk and CloudWatch Logs going away and coming back. Cutting also closes the
//! connections already open, so the SDK's pooled connection cannot slip through.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Forwarder {
    pub port: u16,
    upstream: String,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    /// Bumped by each cut, so an old accept loop stops.
    open: Mutex<Option<Arc<AtomicBool>>>,
    streams: Mutex<Vec<TcpStream>>,
}

impl Forwarder {
    /// A forwarder to `upstream` (`host:port`), cut at first: nothing listens on `port` yet.
    pub fn cut_at_start(upstream: &str) -> Forwarder {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Forwarder {
            port,
            upstream: upstream.to_string(),
            state: Arc::default(),
        }
    }

    /// A forwarder to `upstream`, listening.
    pub fn open(upstream: &str) -> Forwarder {
        let forwarder = Forwarder::cut_at_start(upstream);
        forwarder.restore();
        forwarder
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Listens again on the same port.
    pub fn restore(&self) {
        let listener = (0..100)
            .find_map(|_| {
                TcpListener::bind(("127.0.0.1", self.port))
                    .map_err(|_| std::thread::sleep(Duration::from_millis(20)))
                    .ok()
            })
            .expect("rebind the forwarder's port");
        listener.set_nonblocking(true).expect("nonblocking");
        let running = Arc::new(AtomicBool::new(true));
        *self.state.open.lock().unwrap() = Some(Arc::clone(&running));
        let state = Arc::clone(&self.state);
        let upstream = self.upstream.clone();
        std::thread::spawn(move || {
            while running.load(Ordering::Acquire) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(&upstream) else {
                            continue;
                        };
                        let mut streams = state.streams.lock().unwrap();
                        for s in [&client, &server] {
                            if let Ok(c) = s.try_clone() {
                                streams.push(c);
                            }
                        }
                        pipe(&client, &server);
                        pipe(&server, &client);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            // Dropping the listener closes the port: connections are refused from now on.
        });
    }

    /// Stops listening and closes every open connection.
    pub fn cut(&self) {
        if let Some(running) = self.state.open.lock().unwrap().take() {
            running.store(false, Ordering::Release);
        }
        for s in self.state.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        // The accept loop notices within its 5 ms poll.
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
