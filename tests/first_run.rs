//! The real app on a new machine: the release's window under Xvfb (wgpu on Mesa's software
//! Vulkan), started with a data directory that does not exist yet, resized, saved (Ctrl+S),
//! quit (Ctrl+Q, so eframe writes its state as on any close), started again. What is on disk
//! and the window's size after the restart are checked. Needs `xvfb mesa-vulkan-drivers
//! xdotool` (apt; `.ci/run` installs them): without them the test fails under CI and is
//! skipped, saying so, elsewhere.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X server of its own, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Option<Xvfb> {
        for n in 140 + std::process::id() % 50..240 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let child = Command::new("Xvfb")
                .args([display.as_str(), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            let mut server = Xvfb { child, display };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if server.xdotool(&["getdisplaygeometry"]).is_some() {
                    return Some(server);
                }
                if server.child.try_wait().ok().flatten().is_some() {
                    break; // display taken meanwhile: try the next
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        None
    }

    /// Runs xdotool on this display; its output when it succeeded.
    fn xdotool(&mut self, args: &[&str]) -> Option<String> {
        let out = Command::new("xdotool").args(args).env("DISPLAY", &self.display).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The app's window, once it shows; `None` when the app exited first.
    fn window(&mut self, app: &mut Child) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(out) = self.xdotool(&["search", "--onlyvisible", "--name", "Reddit CAPI Console"])
                && let Some(id) = out.lines().next()
            {
                return Some(id.to_string());
            }
            if app.try_wait().unwrap().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("no window within 90 s");
    }

    /// Gives the window the keyboard (there is no window manager) and presses `keys`.
    fn press(&mut self, window: &str, keys: &str) {
        self.xdotool(&["windowfocus", "--sync", window]).expect("focus");
        std::thread::sleep(Duration::from_millis(300));
        self.xdotool(&["key", keys]).expect("key");
    }

    fn size(&mut self, window: &str) -> String {
        let out = self.xdotool(&["getwindowgeometry", window]).expect("geometry");
        out.lines().find_map(|l| l.trim().strip_prefix("Geometry: ")).unwrap().to_string()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_present() -> bool {
    ["Xvfb", "xdotool"].iter().all(|t| {
        Command::new("sh").args(["-c", &format!("command -v {t}")]).output().is_ok_and(|o| o.status.success())
    })
}

/// Starts the app and waits for its window. On a machine under load the software renderer may
/// fail to start once: that is said and retried once, from the same state (a first start from a
/// data directory that does not exist again).
fn start_with_window(x: &mut Xvfb, home: &Path, log: &Path) -> (Child, String) {
    let first_run = !home.exists();
    for _ in 0..2 {
        let mut app = start_app(x, home, log);
        if let Some(window) = x.window(&mut app) {
            return (app, window);
        }
        eprintln!("the app exited before showing a window (retried once): {}", read_log(log));
        if first_run {
            let _ = std::fs::remove_dir_all(home);
        }
    }
    panic!("the app exited before showing a window twice: {}", read_log(log));
}

fn start_app(x: &Xvfb, home: &Path, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reddit-capi-console"))
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("REDDIT_CAPI_CONSOLE_HOME", home)
        .env("REDDIT_CAPI_CONSOLE_KEYCHAIN", "off")
        .env("WGPU_BACKEND", "vulkan")
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
        .spawn()
        .unwrap()
}

fn wait_exit(app: &mut Child, within: Duration, log: &Path) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = app.try_wait().unwrap() {
            assert!(status.success(), "the app exited with {status}: {}", read_log(log));
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = app.kill();
    panic!("the app did not quit on Ctrl+Q within {within:?}: {}", read_log(log));
}

fn read_log(log: &Path) -> String {
    std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn a_first_run_keeps_the_work_and_the_window_in_a_data_directory_that_did_not_exist() {
    if !tools_present() {
        assert!(std::env::var_os("CI").is_none(), "CI must have xvfb, mesa-vulkan-drivers and xdotool");
        eprintln!("skipped: Xvfb or xdotool is missing (apt-get install xvfb mesa-vulkan-drivers xdotool)");
        return;
    }
    let tmp = common::temp_dir("first-run");
    let home = tmp.join("new").join("home");
    let log = tmp.join("app.log");
    let mut x = Xvfb::start().expect("an X server");

    let (mut app, window) = start_with_window(&mut x, &home, &log);
    x.xdotool(&["windowsize", &window, "1100", "660"]).expect("resize");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(x.size(&window), "1100x660");
    x.press(&window, "ctrl+s");
    std::thread::sleep(Duration::from_secs(1));
    x.press(&window, "ctrl+q");
    wait_exit(&mut app, Duration::from_secs(30), &log);

    assert!(home.is_dir(), "the data directory is a directory");
    assert_eq!(mode(&home), 0o700);
    let state = home.join("eframe.ron");
    assert_eq!(mode(&state), 0o600);
    let ron = std::fs::read_to_string(&state).unwrap();
    assert!(ron.contains("1100"), "eframe kept the window's size: {ron}");
    for file in ["workspace.json", "settings.json"] {
        let path = home.join(file);
        assert!(path.is_file(), "{file} saved: {}", read_log(&log));
        assert_eq!(mode(&path), 0o600, "{file}");
    }
    let workspace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("workspace.json")).unwrap()).unwrap();
    assert!(!workspace["mappings"].as_array().unwrap().is_empty());

    // Started again: the window comes back at the size it was left, the files are still there.
    let (mut app, window) = start_with_window(&mut x, &home, &log);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(x.size(&window), "1100x660", "the window's size was restored");
    x.press(&window, "ctrl+q");
    wait_exit(&mut app, Duration::from_secs(30), &log);
    assert!(home.join("workspace.json").is_file());
    assert!(!read_log(&log).contains("not saved"), "{}", read_log(&log));
}
