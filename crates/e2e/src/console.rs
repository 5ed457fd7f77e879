//! Driving the admin console (`/admin/`) in a browser, for the end-to-end
//! tests of the console and the stream designer.

use fantoccini::Client;

use crate::{find, shows, App};

/// Waits for the console's status line to say `text`.
pub async fn says(c: &Client, text: &str) -> anyhow::Result<()> {
    shows(c, "[data-testid=status]", text).await
}

/// Goes to a console view by its address (as a link or the back button does).
pub async fn go(c: &Client, app: &App, hash: &str) -> anyhow::Result<()> {
    c.goto(&format!("{}/admin/{hash}", app.api)).await?;
    Ok(())
}

/// Fills the field with id `id` (clearing it first; again, when the view
/// drew the field anew meanwhile).
pub async fn fill(c: &Client, id: &str, text: &str) -> anyhow::Result<()> {
    crate::eventually(&format!("#{id} filled"), || async {
        let e = find(c, &format!("#{id}")).await?;
        let typed = async {
            e.clear().await?;
            e.send_keys(text).await?;
            anyhow::Ok(e.prop("value").await?)
        };
        Ok(match typed.await {
            Ok(v) if v.as_deref() == Some(text) => Some(()),
            _ => None,
        })
    })
    .await
}

/// Presses keys on whatever has the focus, as a person at a keyboard would.
pub async fn keys(c: &Client, text: &str) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        actions = actions.then(KeyAction::Down { value: ch }).then(KeyAction::Up { value: ch });
    }
    c.perform_actions(actions).await?;
    Ok(())
}

/// Signs `email` into the console and waits for it to show.
pub async fn sign_in(c: &Client, app: &App, email: &str) -> anyhow::Result<()> {
    go(c, app, "").await?;
    fill(c, "login-email", email).await?;
    fill(c, "login-password", &app.account(email).password).await?;
    find(c, "[data-testid=login-submit]").await?.click().await?;
    find(c, "[data-testid=logout]").await?;
    Ok(())
}

/// Clicks `css` (again, when the view drew it anew between finding and
/// clicking it).
pub async fn click(c: &Client, css: &str) -> anyhow::Result<()> {
    crate::eventually(&format!("{css} clicked"), || async {
        let e = find(c, css).await?;
        Ok(e.click().await.ok())
    })
    .await
}
