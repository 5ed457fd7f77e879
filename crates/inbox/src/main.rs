//! Mounts the inbox on the page; everything else lives in the library.

fn main() {
    leptos::mount::mount_to_body(switchboard_inbox::app::App);
}
