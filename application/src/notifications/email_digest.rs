//! The notification e-mail: one message for a user's pending events, its subject summarising them
//! ("botfleet: 3 ordens executadas, 1 bot pausado"), a plain-text and an HTML body from the
//! templates in `mails/` (compiled in), in the user's language. Every value is HTML-escaped in
//! the HTML body, so a bot named `<b>` stays text.

use domain::identity::Language;
use domain::notifications::Event;

use super::dispatch_words::{line, summary};
use crate::identity::escape_html;

/// A rendered notification e-mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Digest {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn templates(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::PtBr => (include_str!("mails/digest.pt-BR.txt"), include_str!("mails/digest.pt-BR.html")),
        Language::En => (include_str!("mails/digest.en.txt"), include_str!("mails/digest.en.html")),
    }
}

/// The message telling `name` of `events` (oldest first) in `language`; links open
/// `{public_url}/notifications` and `{public_url}/settings/notifications`.
pub(crate) fn digest(events: &[Event], language: Language, name: &str, public_url: &str) -> Digest {
    let (text, html) = templates(language);
    let summary = summary(events, language);
    let link = format!("{public_url}/notifications");
    let preferences = format!("{public_url}/settings/notifications");
    let stamp = |e: &Event| {
        let t = e.at;
        format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
    };
    let text_items: String = events.iter().map(|e| format!("- {} — {}\n", stamp(e), line(e, language))).collect();
    let html_items: String =
        events.iter().map(|e| format!("<li>{} — {}</li>\n", stamp(e), escape_html(&line(e, language)))).collect();
    let fill = |body: &str, name: &str, summary: &str, items: &str, link: &str, preferences: &str| {
        body.replace("{name}", name)
            .replace("{summary}", summary)
            .replace("{link}", link)
            .replace("{preferences}", preferences)
            .replace("{items}", items)
    };
    Digest {
        subject: format!("botfleet: {summary}"),
        text: fill(text, name, &summary, &text_items, &link, &preferences),
        html: fill(
            html,
            &escape_html(name),
            &escape_html(&summary),
            &html_items,
            &escape_html(&link),
            &escape_html(&preferences),
        ),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::notifications::dispatch_words::fixtures::{filled, paused};
    use domain::shared::ids::UserId;

    #[test]
    fn one_message_tells_every_event_in_both_bodies() {
        let (user, at) = (UserId::new(), datetime!(2026-12-04 10:05 UTC));
        let events = vec![filled(user, at), filled(user, at), paused(user, at)];
        for language in Language::ALL {
            let mail = digest(&events, language, "Ana <3", "https://app.example");
            assert_eq!(mail.text.matches("2026-12-04 10:05 UTC").count(), 3, "{language}");
            assert_eq!(mail.html.matches("<li>").count(), 3, "{language}");
            for body in [&mail.text, &mail.html] {
                assert!(!body.contains('{'), "{language}: a placeholder was left: {body}");
                assert!(body.contains("https://app.example/notifications"), "{language}");
            }
            assert!(mail.text.contains("Ana <3") && mail.text.contains("Grid <BTC> & co"));
            assert!(mail.html.contains("Ana &lt;3") && !mail.html.contains("Ana <3"));
            assert!(mail.html.contains("Grid &lt;BTC&gt; &amp; co") && !mail.html.contains("<BTC>"));
        }
        assert_eq!(digest(&events, Language::PtBr, "A", "u").subject, "botfleet: 2 ordens executadas, 1 bot pausado");
        assert_eq!(digest(&events, Language::En, "A", "u").subject, "botfleet: 2 orders filled, 1 bot paused");
        assert!(digest(&events, Language::En, "A", "u").text.starts_with("Hello, A."));
        assert!(digest(&events, Language::PtBr, "A", "u").text.starts_with("Olá, A."));
    }
}
