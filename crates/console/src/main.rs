//! Mounts the console on the page; everything else lives in the library.

fn main() {
    leptos::mount::mount_to_body(switchboard_console::app::App);
}
