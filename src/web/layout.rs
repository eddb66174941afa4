//! The frame every signed-in page shares (`base.html` with `user_menu.html`): one struct,
//! built one way, so no page can forget a field of the menu or fill it differently.

use crate::auth::sessions::Session;
use crate::locale::Lang;

/// What the user menu shows: templates read it as `base.user`, `base.csrf_token` (also
/// the token of the page's own forms), `base.language` and `base.back`.
#[derive(Debug, Clone)]
pub struct BasePage {
    pub user: String,
    pub csrf_token: String,
    /// The saved language for the user menu: `en`, `zh-CN` or `auto`.
    pub language: &'static str,
    /// Where the language menu returns to: this page.
    pub back: &'static str,
}

impl BasePage {
    pub fn new(session: &Session, back: &'static str) -> Self {
        BasePage {
            user: session.username.clone(),
            csrf_token: session.csrf_token.clone(),
            language: session.language.map_or("auto", Lang::code),
            back,
        }
    }
}
