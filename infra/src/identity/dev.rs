//! The dev identity provider of the embedded default: an RSA key generated once into
//! the data folder, a JWKS for it, and tokens shaped like Cognito's (access tokens for the API, ID tokens for the client). Never used
//! in production (the binary refuses it when `PGE_ENV=production`).

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use super::groups;

/// Issuer of dev tokens.
pub const DEV_ISSUER: &str = "urn:pge:dev-identity-provider";
/// Audience (app client id) of dev tokens.
pub const DEV_AUDIENCE: &str = "pge-dev-client";

/// The dev provider's key file in the data folder.
pub const KEY_FILE: &str = "dev-identity-key.pem";

/// What a dev token should say.
#[derive(Debug, Clone)]
pub struct DevTokenRequest {
    pub subject: String,
    pub groups: Vec<String>,
    pub bank_id: Option<String>,
    pub lifetime: Duration,
}

impl DevTokenRequest {
    /// A token for one of the three roles, as `pge dev-token --role …` mints it.
    #[must_use]
    pub fn for_role(role: &str, subject: String, bank_id: Option<String>) -> Option<Self> {
        let group = match role {
            "applicant" => groups::APPLICANTS,
            "reviewer" => groups::BANK_REVIEWERS,
            "admin" => groups::ADMINS,
            _ => return None,
        };
        Some(Self {
            subject,
            groups: vec![group.to_owned()],
            bank_id,
            lifetime: Duration::hours(12),
        })
    }
}

/// The dev provider's key pair.
pub struct DevIdentityProvider {
    encoding: EncodingKey,
    public: RsaPublicKey,
    kid: String,
}

impl std::fmt::Debug for DevIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevIdentityProvider")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevIdentityProvider {
    /// Loads the key from `data_dir`, generating it (mode 0600) on first use.
    ///
    /// # Errors
    /// When the folder or key cannot be read or written.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, String> {
        let path: PathBuf = data_dir.join(KEY_FILE);
        let private = if path.exists() {
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            RsaPrivateKey::from_pkcs1_pem(&pem)
                .map_err(|e| format!("invalid key in {}: {e}", path.display()))?
        } else {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
            let key = Self::generate_key()?;
            let pem = key
                .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
                .map_err(|e| format!("cannot encode key: {e}"))?;
            let tmp = data_dir.join(format!("{KEY_FILE}.{}", std::process::id()));
            {
                use std::os::unix::fs::OpenOptionsExt;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(&tmp)
                    .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
                file.write_all(pem.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
            }
            // Two processes starting at once: the first rename wins, both then use it.
            if path.exists() {
                let _ = std::fs::remove_file(&tmp);
                return Self::load_or_create(data_dir);
            }
            std::fs::rename(&tmp, &path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            key
        };
        Self::from_key(&private)
    }

    /// A provider with a fresh in-memory key (tests).
    ///
    /// # Errors
    /// When key generation fails.
    pub fn ephemeral() -> Result<Self, String> {
        Self::from_key(&Self::generate_key()?)
    }

    fn generate_key() -> Result<RsaPrivateKey, String> {
        RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
            .map_err(|e| format!("cannot generate key: {e}"))
    }

    fn from_key(private: &RsaPrivateKey) -> Result<Self, String> {
        let pem = private
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| format!("cannot encode key: {e}"))?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|e| format!("cannot load key: {e}"))?;
        let public = private.to_public_key();
        let digest = Sha256::digest(public.n().to_bytes_be());
        let kid = URL_SAFE_NO_PAD.encode(&digest[..12]);
        Ok(Self {
            encoding,
            public,
            kid,
        })
    }

    /// The JWKS document publishing the public key.
    #[must_use]
    pub fn jwks_json(&self) -> String {
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "alg": "RS256",
                "use": "sig",
                "kid": self.kid,
                "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
            }]
        })
        .to_string()
    }

    /// The key id of the signing key.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs arbitrary claims with the dev key (tests build hostile tokens with it).
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_claims(
        &self,
        header: &Header,
        claims: &serde_json::Value,
    ) -> Result<String, String> {
        encode(header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// A standard RS256 header with this key's id.
    #[must_use]
    pub fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header
    }

    /// The claims of an access token as Cognito shapes them (`token_use: access`, the app
    /// client in `client_id`, no `aud`), the API's bearer. A reviewer's `custom:bank_id`
    /// is in it as the user pool's pre-token-generation trigger puts it there
    /// (`terraform/modules/cognito`).
    #[must_use]
    pub fn claims(&self, request: &DevTokenRequest) -> serde_json::Value {
        let now = Utc::now();
        let mut claims = serde_json::json!({
            "sub": request.subject,
            "iss": DEV_ISSUER,
            "client_id": DEV_AUDIENCE,
            "token_use": "access",
            "scope": "openid",
            "username": request.subject,
            "cognito:groups": request.groups,
            "jti": URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()),
            "iat": now.timestamp(),
            "auth_time": now.timestamp(),
            "exp": (now + request.lifetime).timestamp(),
        });
        Self::add_bank(&mut claims, request);
        claims
    }

    /// The claims of an ID token as Cognito shapes them (`token_use: id`, `aud`): for the
    /// client only; the API refuses it.
    #[must_use]
    pub fn id_claims(&self, request: &DevTokenRequest) -> serde_json::Value {
        let now = Utc::now();
        let mut claims = serde_json::json!({
            "sub": request.subject,
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
            "token_use": "id",
            "cognito:username": request.subject,
            "cognito:groups": request.groups,
            "iat": now.timestamp(),
            "auth_time": now.timestamp(),
            "exp": (now + request.lifetime).timestamp(),
        });
        Self::add_bank(&mut claims, request);
        claims
    }

    fn add_bank(claims: &mut serde_json::Value, request: &DevTokenRequest) {
        if let (Some(bank), Some(map)) = (&request.bank_id, claims.as_object_mut()) {
            map.insert(
                "custom:bank_id".into(),
                serde_json::Value::String(bank.clone()),
            );
        }
    }

    /// Mints an access token, the API's bearer.
    ///
    /// # Errors
    /// When signing fails.
    pub fn mint(&self, request: &DevTokenRequest) -> Result<String, String> {
        self.sign_claims(&self.header(), &self.claims(request))
    }
}
