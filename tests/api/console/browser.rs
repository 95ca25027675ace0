//! The real `wamux` binary driven in headless Chromium through chromedriver
//! (WebDriver, with the `fantoccini` client). One browser test runs at a time:
//! two Chromiums beside the rest of the suite would starve a small machine.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, eventually};
use crate::process::ServerProcess;
use crate::receiver::free_port;

static ONE_AT_A_TIME: Semaphore = Semaphore::const_new(1);

/// Usage figures reach the database quickly (for the chart); a new QR every 2 s,
/// so the page's QR is seen changing while a slow browser still has half a
/// minute to scan before the instance stops waiting.
pub const FOR_A_BROWSER: [(&str, &str); 2] = [
    ("WAMUX__STATS__FLUSH_INTERVAL_MS", "200"),
    ("WAMUX__SIM__QR_REFRESH_MS", "2000"),
];
const PATIENCE: Duration = Duration::from_secs(30);

pub struct Browser {
    pub client: Client,
    pub server: ServerProcess,
    driver: Mutex<Child>,
    _dir: tempfile::TempDir,
}

/// Runs a browser scenario against a fresh server; when it fails (an error or a
/// failed assertion), saves a screenshot to `target/console-screenshots/<name>.png`
/// first.
pub async fn scenario<F, Fut>(name: &str, window: (u32, u32), body: F)
where
    F: FnOnce(Arc<Browser>) -> Fut,
    Fut: Future<Output = Result<(), fantoccini::error::CmdError>>,
{
    let _turn = ONE_AT_A_TIME.acquire().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), &FOR_A_BROWSER).await;
    run(name, Browser::open(window, server, dir).await, body).await;
}

/// A scenario against a server started by the test (a cluster's node).
pub async fn scenario_on<F, Fut>(name: &str, server: ServerProcess, body: F)
where
    F: FnOnce(Arc<Browser>) -> Fut,
    Fut: Future<Output = Result<(), fantoccini::error::CmdError>>,
{
    let _turn = ONE_AT_A_TIME.acquire().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(name, Browser::open((1280, 1000), server, dir).await, body).await;
}

async fn run<F, Fut>(name: &str, browser: Browser, body: F)
where
    F: FnOnce(Arc<Browser>) -> Fut,
    Fut: Future<Output = Result<(), fantoccini::error::CmdError>>,
{
    let browser = Arc::new(browser);
    let outcome = AssertUnwindSafe(body(browser.clone())).catch_unwind().await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(format!("WebDriver: {error}")),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
        ),
    };
    if let Some(failure) = &failure {
        let saved = browser.save_screenshot(name).await;
        let _ = browser.client.clone().close().await;
        browser.stop();
        panic!("{name}: {failure}\n(screenshot: {saved})");
    }
    let _ = browser.client.clone().close().await;
    browser.stop();
}

fn chromium() -> String {
    std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

impl Browser {
    async fn open(
        (width, height): (u32, u32),
        server: ServerProcess,
        dir: tempfile::TempDir,
    ) -> Self {
        let port = free_port();
        let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver did not start ({e}): the browser tests need Debian's chromium and \
                     chromium-driver (`apt-get install chromium chromium-driver`; .ci/run installs them)"
                )
            });
        let webdriver = format!("http://127.0.0.1:{port}");
        let status = format!("{webdriver}/status");
        eventually("chromedriver to answer", || {
            let status = status.clone();
            async move {
                reqwest::get(&status)
                    .await
                    .ok()
                    .filter(|r| r.status() == 200)
                    .map(|_| ())
            }
        })
        .await;
        let mut chrome = json!({
            "binary": chromium(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--lang=en-US",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", dir.path().join("chromium").display()),
            ],
        });
        // Below its smallest window, Chromium draws the page as a phone would.
        if width < 500 {
            chrome["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}});
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": chrome});
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no Chromium session through chromedriver ({}): {e}",
                    chromium()
                )
            });
        Self {
            client,
            server,
            driver: Mutex::new(driver),
            _dir: dir,
        }
    }

    fn stop(&self) {
        if let Ok(mut driver) = self.driver.lock() {
            let _ = driver.kill();
            let _ = driver.wait();
        }
    }

    async fn save_screenshot(&self, name: &str) -> String {
        let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .map(|target| target.join("console-screenshots"))
            .unwrap_or_else(|| PathBuf::from("console-screenshots"));
        let path = folder.join(format!("{name}.png"));
        match self.client.screenshot().await {
            Ok(png) => {
                match std::fs::create_dir_all(&folder).and_then(|_| std::fs::write(&path, png)) {
                    Ok(()) => path.display().to_string(),
                    Err(e) => format!("not saved: {e}"),
                }
            }
            Err(e) => format!("not taken: {e}"),
        }
    }

    pub async fn visit(&self, path: &str) -> Result<(), fantoccini::error::CmdError> {
        self.client
            .goto(&format!("{}{path}", self.server.base))
            .await
    }

    /// Waits for the element (it may be drawn after an API call).
    pub async fn el(&self, css: &str) -> Result<Element, fantoccini::error::CmdError> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
    }

    pub async fn fill(&self, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
        let field = self.el(css).await?;
        field.clear().await?;
        field.send_keys(text).await
    }

    /// Clicks the element, found again if the page redrew it meanwhile.
    pub async fn click(&self, css: &str) -> Result<(), fantoccini::error::CmdError> {
        let started = std::time::Instant::now();
        loop {
            match self.el(css).await?.click().await {
                Err(error)
                    if error.to_string().contains("stale element")
                        && started.elapsed() < PATIENCE =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                done => return done,
            }
        }
    }

    /// With `CONSOLE_SCREENSHOTS` set, saves the page as it is now (to look at the
    /// console while changing it).
    pub async fn snap(&self, name: &str) {
        if std::env::var_os("CONSOLE_SCREENSHOTS").is_some() {
            self.save_screenshot(name).await;
        }
    }

    /// Waits until the first element matching `css` is shown with a text containing
    /// `needle`.
    pub async fn wait_text(
        &self,
        css: &str,
        needle: &str,
    ) -> Result<String, fantoccini::error::CmdError> {
        let started = std::time::Instant::now();
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) if element.is_displayed().await.unwrap_or(false) => {
                    element.text().await.ok()
                }
                _ => None,
            };
            if let Some(text) = text.as_ref().filter(|text| text.contains(needle)) {
                return Ok(text.clone());
            }
            assert!(
                started.elapsed() < PATIENCE,
                "`{css}` never showed {needle:?} (last: {text:?})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn script(&self, code: &str) -> Result<Value, fantoccini::error::CmdError> {
        self.client.execute(code, vec![]).await
    }

    pub async fn sign_in(&self) -> Result<(), fantoccini::error::CmdError> {
        self.sign_in_as(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        self.el("#sign-out").await.map(|_| ())
    }

    pub async fn sign_in_as(
        &self,
        email: &str,
        password: &str,
    ) -> Result<(), fantoccini::error::CmdError> {
        self.visit("/console").await?;
        self.fill("#email", email).await?;
        self.fill("#password", password).await?;
        self.click("#signin-password button[type=submit]").await
    }
}
