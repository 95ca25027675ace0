//! The load generator: a few threads, each with its own runtime and HTTP client,
//! keeping a fixed number of requests in flight for a fixed time.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Builds the n-th request: method, URL, headers and body.
pub type MakeRequest = Arc<dyn Fn(u64) -> Request + Send + Sync>;

pub struct Request {
    pub post: bool,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
}

#[derive(Debug, Default, Clone)]
pub struct LoadResult {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    /// Microseconds per successful request.
    pub latencies: Vec<u32>,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p) as f64 / 1000.0
    }
}

pub fn percentile(values: &[u32], p: f64) -> u32 {
    if values.is_empty() {
        return 0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Runs `threads × concurrency` request loops for `duration`.
pub fn run(
    threads: usize,
    concurrency: usize,
    duration: Duration,
    make: MakeRequest,
) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..threads)
        .map(|thread| {
            let make = make.clone();
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(worker(
                    thread as u64,
                    threads as u64,
                    concurrency,
                    deadline,
                    make,
                ))
            })
        })
        .collect();
    let mut total = LoadResult::default();
    for worker in workers {
        if let Ok(result) = worker.join() {
            total.ok += result.ok;
            total.failed += result.failed;
            total.latencies.extend(result.latencies);
        }
    }
    total.elapsed = started.elapsed();
    total
}

async fn worker(
    thread: u64,
    threads: u64,
    concurrency: usize,
    deadline: Instant,
    make: MakeRequest,
) -> LoadResult {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .connector(awc::Connector::new().limit(concurrency * 2))
        .finish();
    let result = Rc::new(RefCell::new(LoadResult::default()));
    let loops: Vec<_> = (0..concurrency as u64)
        .map(|slot| {
            let (client, make, result) = (client.clone(), make.clone(), result.clone());
            actix_web::rt::spawn(async move {
                let mut n = thread + slot * threads;
                let stride = threads * concurrency as u64;
                while Instant::now() < deadline {
                    let request = make(n);
                    n += stride;
                    let started = Instant::now();
                    let ok = send(&client, request).await;
                    let mut result = result.borrow_mut();
                    if ok {
                        result.ok += 1;
                        result
                            .latencies
                            .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                    } else {
                        result.failed += 1;
                    }
                }
            })
        })
        .collect();
    for running in loops {
        let _ = running.await;
    }
    result.take()
}

async fn send(client: &awc::Client, request: Request) -> bool {
    let mut builder = if request.post {
        client.post(request.url)
    } else {
        client.get(request.url)
    };
    for (name, value) in request.headers {
        builder = builder.insert_header((name, value));
    }
    let response = match request.body {
        Some(body) => builder.send_body(body).await,
        None => builder.send().await,
    };
    match response {
        Ok(mut response) => {
            let ok = response.status().is_success();
            ok && response.body().limit(1024 * 1024).await.is_ok()
        }
        Err(_) => false,
    }
}
