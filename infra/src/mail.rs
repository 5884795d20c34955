//! E-mails: rendering from templates (French first, an English line for foreign
//! readers) and the two mailers, SES v2 in production and `.eml` files on the embedded
//! default.

use std::path::PathBuf;

use async_trait::async_trait;
use domain::ports::{Mailer, OutgoingEmail, SendError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use minijinja::Environment;
use serde_json::Value;

/// Message kinds and their template names.
const KINDS: [&str; 7] = [
    "submission_received",
    "pre_approved",
    "rejected",
    "granted",
    "message_to_applicant",
    "message_to_bank",
    "guarantee_issued",
];

macro_rules! templates {
    ($($name:literal),+ $(,)?) => {
        [$(($name, include_str!(concat!("../templates/mail/", $name)))),+]
    };
}

const TEMPLATES: [(&str, &str); 23] = templates!(
    "base.html",
    "base.txt",
    "submission_received.subject",
    "submission_received.html",
    "submission_received.txt",
    "pre_approved.subject",
    "pre_approved.html",
    "pre_approved.txt",
    "rejected.subject",
    "rejected.html",
    "rejected.txt",
    "granted.subject",
    "granted.html",
    "granted.txt",
    "message_to_applicant.subject",
    "message_to_applicant.html",
    "message_to_applicant.txt",
    "message_to_bank.subject",
    "message_to_bank.html",
    "message_to_bank.txt",
    "guarantee_issued.subject",
    "guarantee_issued.html",
    "guarantee_issued.txt",
);

/// Formats cents as French euros: `50 000,00 €`.
#[must_use]
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", cents % 100)
}

/// Renders outbox messages into e-mails.
pub struct Templates {
    env: Environment<'static>,
}

/// Why a message could not be rendered (it will never be: the message is dead).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {kind} e-mail: {reason}")]
pub struct RenderError {
    kind: String,
    reason: String,
}

impl Templates {
    /// Loads the templates compiled into the binary.
    ///
    /// # Panics
    /// Never at run time: a template that does not parse fails the unit tests.
    #[must_use]
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.add_filter("euros", euros);
        for (name, source) in TEMPLATES {
            #[allow(clippy::expect_used)]
            env.add_template(name, source)
                .expect("the built-in mail templates parse");
        }
        Self { env }
    }

    /// Renders the e-mail of `kind` with the outbox `payload` (JSON object).
    ///
    /// # Errors
    /// [`RenderError`] for an unknown kind or a payload that does not fit.
    pub fn render(
        &self,
        id: uuid::Uuid,
        kind: &str,
        recipient: &str,
        payload: &str,
    ) -> Result<OutgoingEmail, RenderError> {
        let err = |reason: String| RenderError {
            kind: kind.to_owned(),
            reason,
        };
        let context: Value = serde_json::from_str(payload).map_err(|e| err(e.to_string()))?;
        self.render_context(id, kind, recipient, &context)
    }

    /// Renders the e-mail of `kind` with a context already parsed (a JSON object).
    ///
    /// # Errors
    /// [`RenderError`] for an unknown kind or a context that does not fit.
    pub fn render_context(
        &self,
        id: uuid::Uuid,
        kind: &str,
        recipient: &str,
        context: &Value,
    ) -> Result<OutgoingEmail, RenderError> {
        let err = |reason: String| RenderError {
            kind: kind.to_owned(),
            reason,
        };
        if !KINDS.contains(&kind) {
            return Err(err("unknown kind".to_owned()));
        }
        if !context.is_object() {
            return Err(err("the payload is not an object".to_owned()));
        }
        let render = |suffix: &str| -> Result<String, RenderError> {
            self.env
                .get_template(&format!("{kind}.{suffix}"))
                .and_then(|t| t.render(context))
                .map_err(|e| err(e.to_string()))
        };
        Ok(OutgoingEmail {
            id,
            to: recipient.to_owned(),
            subject: render("subject")?.trim().to_owned(),
            text: render("txt")?,
            html: render("html")?,
            attachments: Vec::new(),
        })
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

/// The RFC 5322 message of `email`: its text and HTML as alternatives, and its
/// attachments beside them (`multipart/mixed`) when it has any.
fn mime(
    from: &Mailbox,
    to: Mailbox,
    email: &OutgoingEmail,
    domain: &str,
) -> Result<Vec<u8>, SendError> {
    let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    let builder = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", email.id)));
    let message = if email.attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for attachment in &email.attachments {
            let content_type = ContentType::parse(&attachment.content_type)
                .map_err(|e| SendError::Permanent(format!("attachment type: {e}")))?;
            mixed = mixed.singlepart(
                lettre::message::Attachment::new(attachment.filename.clone())
                    .body(attachment.content.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| SendError::Permanent(e.to_string()))?;
    Ok(message.formatted())
}

/// Writes each e-mail as an RFC 5322 `.eml` file in a folder (embedded default).
pub struct FolderMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FolderMailer {
    /// # Errors
    /// When the folder cannot be created or the sender is not an address.
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the mail folder {}: {e}", dir.display()))?;
        let from = from
            .parse()
            .map_err(|e| format!("invalid sender address: {e}"))?;
        Ok(Self { dir, from })
    }

    /// Builds the RFC 5322 message.
    ///
    /// # Errors
    /// [`SendError::Permanent`] when the recipient is not an address.
    pub fn message(&self, email: &OutgoingEmail) -> Result<Vec<u8>, SendError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("invalid recipient: {e}")))?;
        mime(&self.from, to, email, "pge.local")
    }
}

#[async_trait]
impl Mailer for FolderMailer {
    #[tracing::instrument(name = "mail.write", skip_all)]
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        let bytes = self.message(email)?;
        let name = format!("{}.eml", email.id);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(&name);
        // Write then rename: a reader never sees half a message, and a resend after a
        // crash replaces the file instead of duplicating it.
        tokio::fs::write(&tmp, &bytes)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        Ok(name)
    }
}

/// Sends through Amazon SES v2.
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    #[must_use]
    pub fn new(
        config: &aws_config::SdkConfig,
        from: String,
        configuration_set: Option<String>,
    ) -> Self {
        Self {
            client: aws_sdk_sesv2::Client::new(config),
            from,
            configuration_set,
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    #[tracing::instrument(name = "SESv2.SendEmail", skip_all, fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "SESv2", rpc.method = "SendEmail"))]
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        use aws_sdk_sesv2::error::SdkError;
        use aws_sdk_sesv2::operation::send_email::SendEmailError;
        use aws_sdk_sesv2::primitives::Blob;
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, RawMessage};

        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| SendError::Permanent(e.to_string()))
        };
        let email_content = if email.attachments.is_empty() {
            let message = Message::builder()
                .subject(content(&email.subject)?)
                .body(
                    Body::builder()
                        .text(content(&email.text)?)
                        .html(content(&email.html)?)
                        .build(),
                )
                .build();
            EmailContent::builder().simple(message).build()
        } else {
            // With attachments: the whole MIME message, built as the folder mailer
            // builds it, sent raw.
            let from: Mailbox = self
                .from
                .parse()
                .map_err(|e| SendError::Permanent(format!("invalid sender address: {e}")))?;
            let to: Mailbox = email
                .to
                .parse()
                .map_err(|e| SendError::Permanent(format!("invalid recipient: {e}")))?;
            let raw = RawMessage::builder()
                .data(Blob::new(mime(&from, to, email, "pge.ses")?))
                .build()
                .map_err(|e| SendError::Permanent(e.to_string()))?;
            EmailContent::builder().raw(raw).build()
        };
        let result = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(email_content)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match result {
            Ok(output) => Ok(output
                .message_id()
                .map_or_else(|| format!("ses-{}", email.id), str::to_owned)),
            Err(SdkError::ServiceError(context)) => {
                let err = context.into_err();
                // SES's messages may quote the addresses: they go to the logs and the
                // outbox row with every address masked.
                let text = format!(
                    "{}: {}",
                    err.meta().code().unwrap_or("SesError"),
                    mask_addresses(err.meta().message().unwrap_or_default())
                );
                match err {
                    // The request itself is malformed (e.g. an address SES cannot
                    // parse): retrying cannot help.
                    SendEmailError::BadRequestException(_) => Err(SendError::Permanent(text)),
                    // Throttling, paused sending, an identity not (yet) verified or a
                    // missing configuration set (SES answers MessageRejected or
                    // NotFound for these), provider errors: an operator or time fixes
                    // them, so the message is retried until its attempts run out.
                    _ => Err(SendError::Transient(text)),
                }
            }
            Err(other) => Err(SendError::Transient(other.to_string())),
        }
    }
}

/// `text` with every word holding an `@` replaced: no e-mail address reaches the logs.
fn mask_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') {
                "<address>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_messages_lose_their_addresses() {
        assert_eq!(
            mask_addresses("Email address is not verified: gerant@boulangerie.example, x@y."),
            "Email address is not verified: <address> <address>"
        );
    }

    fn payload(reason: Option<&str>) -> String {
        serde_json::json!({
            "reference": "PGE-ABCD-EFGH-JKMN-P",
            "status": "rejected",
            "bank_id": "30004",
            "bank_name": "BNP Paribas",
            "request_url": "https://pge.example.fr/demandes/0190f0c2-aaaa-7bbb-8ccc-123456789abc",
            "legal_name": "Boulangerie <script>alert(1)</script> & Fils",
            "requested_amount_cents": 5_000_000,
            "reason": reason,
        })
        .to_string()
    }

    #[test]
    fn euros_in_french() {
        assert_eq!(euros(5_000_000), "50\u{a0}000,00\u{a0}€");
        assert_eq!(euros(99), "0,99\u{a0}€");
        assert_eq!(euros(12_345_678_901), "123\u{a0}456\u{a0}789,01\u{a0}€");
    }

    #[test]
    fn every_kind_renders_and_escapes_html() {
        let templates = Templates::new();
        for kind in KINDS {
            let id = uuid::Uuid::new_v4();
            let email = templates
                .render(id, kind, "a@b.fr", &payload(Some("Dossier <incomplet>")))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(email.subject.contains("PGE-ABCD-EFGH-JKMN-P"), "{kind}");
            assert!(!email.subject.contains('\n'));
            assert!(email.text.contains("50\u{a0}000,00\u{a0}€"), "{kind}");
            assert!(
                email.html.contains("&lt;script&gt;"),
                "{kind}: {}",
                email.html
            );
            assert!(!email.html.contains("<script>"), "{kind}");
            assert!(email.text.contains("Bonjour"));
        }
        let rejected = templates
            .render(
                uuid::Uuid::new_v4(),
                "rejected",
                "a@b.fr",
                &payload(Some("Dossier <incomplet>")),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(rejected.text.contains("Dossier <incomplet>"));
        assert!(rejected.html.contains("Dossier &lt;incomplet&gt;"));
    }

    #[test]
    fn unknown_kind_or_bad_payload_is_an_error() {
        let templates = Templates::new();
        let id = uuid::Uuid::new_v4();
        assert!(
            templates
                .render(id, "nope", "a@b.fr", &payload(None))
                .is_err()
        );
        assert!(
            templates
                .render(id, "granted", "a@b.fr", "not json")
                .is_err()
        );
        assert!(templates.render(id, "granted", "a@b.fr", "[1]").is_err());
    }

    #[tokio::test]
    async fn folder_mailer_writes_an_rfc5322_message() {
        let dir = std::env::temp_dir().join(format!("pge-mail-{}", uuid::Uuid::new_v4()));
        let mailer = FolderMailer::new(dir.clone(), "PGE <no-reply@pge.local>")
            .unwrap_or_else(|e| panic!("{e}"));
        let email = Templates::new()
            .render(
                uuid::Uuid::new_v4(),
                "granted",
                "gerant@boulangerie.example",
                &payload(None),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let name = mailer.send(&email).await.unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(text.contains("To: gerant@boulangerie.example"), "{text}");
        assert!(text.contains("From: PGE <no-reply@pge.local>"));
        assert!(text.contains("multipart/alternative"));
        assert!(
            text.contains("=?utf-8?b?"),
            "non-ASCII subject encoded: {text}"
        );
        assert!(text.is_ascii(), "RFC 5322 output is 7-bit");
        assert!(
            mailer
                .send(&OutgoingEmail {
                    to: "not an address".into(),
                    ..email
                })
                .await
                .is_err_and(|e| matches!(e, SendError::Permanent(_)))
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
