//! Tokens minted with the server's dev identity key, and the preflight check.

use super::*;

pub(crate) struct Tokens {
    pub(crate) applicants: Vec<String>,
    pub(crate) reviewers: Vec<String>,
}

pub(crate) fn mint(
    pge_bin: &Path,
    data_dir: &Path,
    role: &str,
    bank: Option<&str>,
    sub: &str,
) -> anyhow::Result<String> {
    let mut command = std::process::Command::new(pge_bin);
    command
        .env("PGE_DATA_DIR", data_dir)
        .env_remove("PGE_ENV")
        .args(["dev-token", "--role", role, "--sub", sub]);
    if let Some(bank) = bank {
        command.args(["--bank", bank]);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", pge_bin.display()))?;
    ensure!(
        output.status.success(),
        "{} dev-token failed: {}",
        pge_bin.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let token = String::from_utf8(output.stdout)
        .context("dev-token printed something that is not UTF-8")?
        .trim()
        .to_owned();
    ensure!(token.split('.').count() == 3, "dev-token printed no JWT");
    Ok(token)
}

pub(crate) fn tokens(args: &Args, applicants: usize, reviewers: usize) -> anyhow::Result<Tokens> {
    let need_minting = (applicants > 0 && args.applicant_token.is_empty())
        || (reviewers > 0 && args.reviewer_token.is_empty());
    let mut minted = 0;
    let started = Instant::now();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let run = &run[..8];
    let data_dir = if need_minting {
        let Some(dir) = &args.data_dir else {
            bail!(
                "--data-dir (the server's PGE_DATA_DIR) is needed to mint tokens, or give --applicant-token and --reviewer-token"
            );
        };
        // `pge dev-token` would create a fresh key that the server does not know.
        ensure!(
            dir.join(DEV_KEY_FILE).is_file(),
            "{} has no {DEV_KEY_FILE}: is it the data folder of the running server?",
            dir.display()
        );
        Some(dir.as_path())
    } else {
        None
    };
    let mut mint_many =
        |role: &str, bank: Option<&str>, count: usize| -> anyhow::Result<Vec<String>> {
            let dir = data_dir.context("no data folder")?;
            (0..count)
                .map(|i| {
                    minted += 1;
                    mint(
                        &args.pge_bin,
                        dir,
                        role,
                        bank,
                        &format!("loadtest-{run}-{role}-{i}"),
                    )
                })
                .collect()
        };
    let applicant_tokens = if !args.applicant_token.is_empty() {
        args.applicant_token.clone()
    } else if applicants > 0 {
        mint_many("applicant", None, applicants)?
    } else {
        Vec::new()
    };
    let reviewer_tokens = if !args.reviewer_token.is_empty() {
        args.reviewer_token.clone()
    } else if reviewers > 0 {
        mint_many("reviewer", Some(&args.bank), reviewers)?
    } else {
        Vec::new()
    };
    if minted > 0 {
        println!(
            "minted {minted} tokens with {} dev-token in {:.1} s (subjects loadtest-{run}-…)",
            args.pge_bin.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Tokens {
        applicants: applicant_tokens,
        reviewers: reviewer_tokens,
    })
}

/// Fails early, with a readable message, when the API is not there or refuses the tokens.
pub(crate) async fn preflight(host: &str, tokens: &Tokens) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let ready = client
        .get(format!("{host}/readyz"))
        .send()
        .await
        .with_context(|| format!("{host} does not answer"))?;
    ensure!(
        ready.status().is_success(),
        "{host}/readyz answered {}",
        ready.status()
    );
    for (role, token) in [
        ("applicant", tokens.applicants.first()),
        ("reviewer", tokens.reviewers.first()),
    ] {
        let Some(token) = token else { continue };
        let response = client
            .get(format!("{host}/api/v1/loan-requests?limit=1"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("the API refuses the {role} token: {status} {body}");
        }
    }
    Ok(())
}
