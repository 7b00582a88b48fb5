//! A runnable cURL command for a request, with `$REDDIT_CONVERSION_TOKEN` in place of the token.

use crate::reddit::Request;

/// Quotes a string for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `# text` as one shell comment line: a control character in `text` (a line break would end
/// the comment and start a command) is written escaped (`\n`).
pub fn comment(text: &str) -> String {
    let mut out = String::from("# ");
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The command. The token is never in it: the shell expands the variable.
pub fn render(request: &Request) -> String {
    let body = String::from_utf8(request.body.to_json_bytes()).expect("JSON is UTF-8");
    render_parts(request.method, &request.url, &request.headers, &body)
}

/// The command from a request's parts (e.g. as history recorded them).
pub fn render_parts(method: &str, url: &str, headers: &[(String, String)], body: &str) -> String {
    let mut out = format!("curl -sS -X {method} {}", shell_quote(url));
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization") {
            out.push_str(" \\\n  -H \"Authorization: Bearer $REDDIT_CONVERSION_TOKEN\"");
        } else {
            out.push_str(&format!(" \\\n  -H {}", shell_quote(&format!("{name}: {value}"))));
        }
    }
    out.push_str(&format!(" \\\n  --data-raw {}", shell_quote(body)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reddit::{Authorization, Settings, build_request};

    #[test]
    fn token_is_an_environment_variable_and_quotes_survive() {
        let settings =
            Settings { pixel_id: "a2_x".into(), partner: Some("it's".into()), ..Settings::default() };
        let request =
            build_request(&settings, vec![], &Authorization::Shown("tok_secret_value".into()), None);
        let cmd = render(&request);
        assert!(!cmd.contains("tok_secret_value"));
        assert!(cmd.contains("-H \"Authorization: Bearer $REDDIT_CONVERSION_TOKEN\""));
        assert!(
            cmd.starts_with("curl -sS -X POST 'https://ads-api.reddit.com/api/v2.0/conversions/events/a2_x'")
        );
        assert!(cmd.ends_with(r#"--data-raw '{"events":[],"test_mode":true,"partner":"it'\''s"}'"#), "{cmd}");
    }

    #[test]
    fn a_comment_stays_one_line() {
        assert_eq!(comment("Buy\ntouch pwned #\r\u{0}"), r"# Buy\ntouch pwned #\r\u{0}");
        assert_eq!(comment("Achat « été »"), "# Achat « été »");
    }
}
