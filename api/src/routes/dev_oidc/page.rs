//! The sign-in page: the authorization request it answers (checked before anything is
//! shown), its HTML (escaped, under a strict CSP, with its style sheet apart) and the
//! refusals shown instead of a redirect to an unverified URI.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::provider::DevOidc;

/// The parameters of an authorization request (query of the GET, fields of the POST).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuthorizeParams {
    #[serde(default)]
    pub(super) response_type: String,
    #[serde(default)]
    pub(super) client_id: String,
    #[serde(default)]
    pub(super) redirect_uri: String,
    #[serde(default)]
    pub(super) state: Option<String>,
    #[serde(default)]
    pub(super) nonce: Option<String>,
    #[serde(default)]
    pub(super) code_challenge: String,
    #[serde(default)]
    pub(super) code_challenge_method: String,
    // The sign-in form's own fields.
    #[serde(default)]
    pub(super) role: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) bank_id: Option<String>,
}

/// The sign-in page's title.
pub(super) const SIGN_IN_TITLE: &str = "Connexion de développement — pge";

impl AuthorizeParams {
    /// The request as read (`what`: the query or the form), checked; else why it is
    /// refused (shown with [`refusal`]).
    pub(super) fn checked<E>(
        read: Result<Self, E>,
        oidc: &DevOidc,
        what: &str,
    ) -> Result<Self, String> {
        let params = read.map_err(|_| format!("{what} cannot be read"))?;
        params.check(oidc)?;
        Ok(params)
    }

    /// Checks what the client sent; the error is shown on the page, never redirected
    /// to an unverified URI.
    pub(super) fn check(&self, oidc: &DevOidc) -> Result<(), &'static str> {
        if !oidc.knows_client(&self.client_id) {
            return Err("unknown client_id");
        }
        if self.redirect_uri != oidc.redirect_uri() {
            return Err("redirect_uri is not the app's registered callback");
        }
        if self.response_type != "code" {
            return Err("only response_type=code is supported");
        }
        if self.code_challenge_method != "S256" {
            return Err("a PKCE code_challenge with code_challenge_method=S256 is required");
        }
        let challenge_ok = (43..=128).contains(&self.code_challenge.len())
            && self
                .code_challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !challenge_ok {
            return Err("the code_challenge is not a base64url SHA-256");
        }
        let short = |v: &Option<String>| v.as_ref().is_none_or(|s| s.len() <= 512);
        if !short(&self.state) || !short(&self.nonce) {
            return Err("state or nonce too long");
        }
        Ok(())
    }
}

/// Escapes text for HTML content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The sign-in page's style sheet (served at `/dev-oidc/style.css`: no inline style
/// under the strict CSP).
pub(super) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#161616;background:#f6f6f6;line-height:1.5}\
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #ccc}\
h1{font-size:1.5rem;margin-top:0}p.note{color:#3a3a3a}\
fieldset{border:0;padding:0;margin:0 0 1.25rem}legend,label{font-weight:600}\
.choice{display:flex;gap:.5rem;align-items:center;margin:.5rem 0;min-height:44px}.choice label{font-weight:400}\
input[type=radio]{width:1.25rem;height:1.25rem}\
input[type=text],select{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin:.25rem 0 1.25rem;border:2px solid #3a3a3a;min-height:44px}\
button{font:inherit;font-weight:600;color:#fff;background:#00347a;border:0;padding:.75rem 1.5rem;min-height:44px;cursor:pointer}\
:focus-visible{outline:3px solid #b34000;outline-offset:2px}\
.error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}";

/// The policy of the provider's pages: its style sheet only, no script.
pub(super) const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/dev-oidc/style.css\"></head>\
         <body><main>{body}</main></body></html>",
        title = escape(title)
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

pub(super) fn refusal(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Connexion impossible",
        &format!(
            "<h1>Connexion impossible</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p><a href=\"/\">Retour à l'accueil</a></p>",
            escape(reason)
        ),
    )
}

pub(super) fn sign_in_form(
    oidc: &DevOidc,
    params: &AuthorizeParams,
    banks: &[domain::loan_request::Bank],
    error: Option<&str>,
) -> String {
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let mut html = String::from(
        "<h1>Connexion de développement</h1>\
         <p class=\"note\">Fournisseur d'identité local de pge (jamais en production) : \
         choisissez un rôle et un nom. Le même nom redonne le même compte.</p>",
    );
    if let Some(error) = error {
        html.push_str(&format!(
            "<p class=\"error\" role=\"alert\" id=\"form-error\">{}</p>",
            escape(error)
        ));
    }
    html.push_str("<form method=\"post\" action=\"/dev-oidc/authorize\">");
    for (name, value) in [
        ("response_type", params.response_type.as_str()),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ] {
        html.push_str(&hidden(name, value));
    }
    if let Some(state) = &params.state {
        html.push_str(&hidden("state", state));
    }
    if let Some(nonce) = &params.nonce {
        html.push_str(&hidden("nonce", nonce));
    }
    let roles = oidc.roles_of(&params.client_id);
    let chosen = params.role.as_deref().unwrap_or(roles[0].0);
    html.push_str("<fieldset><legend>Rôle</legend>");
    for &(value, label) in roles {
        let checked = if value == chosen { " checked" } else { "" };
        html.push_str(&format!(
            "<div class=\"choice\"><input type=\"radio\" id=\"role-{value}\" name=\"role\" value=\"{value}\"{checked}>\
             <label for=\"role-{value}\">{label}</label></div>"
        ));
    }
    html.push_str("</fieldset>");
    html.push_str(&format!(
        "<label for=\"name\">Nom (identifiant du compte)</label>\
         <input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"64\" autocomplete=\"username\" value=\"{}\">",
        escape(params.name.as_deref().unwrap_or_default())
    ));
    html.push_str(
        "<label for=\"bank_id\">Banque (chargés d'instruction seulement)</label><select id=\"bank_id\" name=\"bank_id\">",
    );
    for bank in banks {
        let code = bank.code.as_str();
        let selected = if params.bank_id.as_deref() == Some(code) {
            " selected"
        } else {
            ""
        };
        html.push_str(&format!(
            "<option value=\"{code}\"{selected}>{} ({code})</option>",
            escape(&bank.name)
        ));
    }
    html.push_str("</select><button type=\"submit\">Se connecter</button></form>");
    html
}
