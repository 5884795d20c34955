//! The problems in the OpenAPI document, made from the catalogue: the `ProblemType` and
//! `FieldCode` enums, the answers every business route may give (`add_common_answers`),
//! and each operation's own problem answers, declared with `problem_answers!` as the
//! kinds it may answer with and what they mean there. A response's status is its
//! kinds' (from the catalogue) and its body the `Problem` schema, written here once.

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};

use super::{ProblemType, TYPE_PREFIX};

/// One documented problem answer: the kinds it may carry (all of one status) and what
/// they mean for the operation.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub kinds: &'static [ProblemType],
    pub description: &'static str,
}

impl Answer {
    /// The status of its kinds.
    ///
    /// # Panics
    /// When the kinds do not share one status (a mistake in a declaration, which the
    /// OpenAPI test shows at once).
    #[must_use]
    pub fn status(&self) -> u16 {
        let status = self.kinds[0].status();
        assert!(
            self.kinds.iter().all(|kind| kind.status() == status),
            "{:?} are answered with different statuses",
            self.kinds
        );
        status.as_u16()
    }
}

/// A `application/problem+json` response with the `Problem` schema.
fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The OpenAPI responses of a set of answers, keyed by status.
///
/// # Panics
/// When two answers of the set share a status, or an answer's kinds do not.
#[must_use]
pub fn responses(answers: &[Answer]) -> BTreeMap<String, RefOr<Response>> {
    let mut responses = BTreeMap::new();
    for answer in answers {
        let previous = responses.insert(
            answer.status().to_string(),
            problem_response(answer.description).into(),
        );
        assert!(
            previous.is_none(),
            "two answers with status {}",
            answer.status()
        );
    }
    responses
}

/// Declares sets of problem answers, each a unit struct that `#[utoipa::path]` takes in
/// its `responses(…)`: `Name { Kind | OtherKind => "what it means here", … }`.
macro_rules! problem_answers {
    ($($(#[$doc:meta])* $vis:vis $name:ident {
        $($($kind:ident)|+ => $description:literal),+ $(,)?
    })+) => {$(
        $(#[$doc])*
        $vis struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                $crate::problem::openapi::responses(&[$($crate::problem::openapi::Answer {
                    kinds: &[$($crate::problem::ProblemType::$kind),+],
                    description: $description,
                }),+])
            }
        }
    )+};
}
pub(crate) use problem_answers;

problem_answers! {
    /// Any authenticated caller with a known role.
    pub AnyRole {
        Unauthorized => "Not authenticated",
        Forbidden => "No known role",
    }
    /// Applicants only.
    pub ApplicantOnly {
        Unauthorized => "Not authenticated",
        Forbidden => "Not an applicant",
    }
    /// Bank reviewers only.
    pub ReviewerOnly {
        Unauthorized => "Not authenticated",
        Forbidden => "Not a reviewer",
    }
    /// Bank reviewers and admins.
    pub BackOfficeOnly {
        Unauthorized => "Not authenticated",
        Forbidden => "Not a reviewer or admin",
    }
    /// Admins only.
    pub AdminOnly {
        Unauthorized => "Not authenticated",
        Forbidden => "Not an admin",
    }
    /// A request the caller cannot see does not exist for them.
    pub NotVisible {
        NotFound => "No such request visible to the caller",
    }
    /// A non-critical feature, paused in degraded mode.
    pub Pausable {
        DegradedMode => "Degraded mode",
    }
    /// A route of the embedded default only (dev identity provider, local documents).
    pub EmbeddedOnly {
        NotFound => "Not the embedded default",
    }
}

/// What any business route may answer whatever its handler does: the rate limits, load
/// shedding, the request timeout, an unreachable database, degraded mode, a bug, and
/// any request's body, read before admission.
const BUSINESS: [Answer; 5] = [
    Answer {
        kinds: &[ProblemType::RateLimited],
        description: "Rate limited (`rate-limited`), with `Retry-After`",
    },
    Answer {
        kinds: &[
            ProblemType::Overloaded,
            ProblemType::RequestTimeout,
            ProblemType::DatabaseUnavailable,
            ProblemType::ObjectStorageUnavailable,
            ProblemType::DegradedMode,
        ],
        description: "Overloaded (`overloaded`), too slow (`request-timeout`), database or storage out of reach (`database-unavailable`, `object-storage-unavailable`) or degraded mode (`degraded-mode`), with `Retry-After`",
    },
    Answer {
        kinds: &[ProblemType::Internal],
        description: "Internal error (`internal`); the cause is logged with the request id",
    },
    Answer {
        kinds: &[ProblemType::BodyTimeout],
        description: "The body did not arrive in time (`body-timeout`); send it again",
    },
    Answer {
        kinds: &[ProblemType::PayloadTooLarge],
        description: "Body over 64 KiB (`payload-too-large`)",
    },
];

/// What a route with a path parameter may answer: an undecodable segment.
const WITH_PARAMETER: Answer = Answer {
    kinds: &[ProblemType::InvalidParameter],
    description: "A path segment or header that cannot be read (`invalid-parameter`)",
};

/// What a route with a path parameter and a body may answer about either.
const WITH_PARAMETER_AND_BODY: Answer = Answer {
    kinds: &[ProblemType::InvalidParameter, ProblemType::MalformedJson],
    description: "A path segment or header that cannot be read (`invalid-parameter`), malformed JSON (`malformed-json`) or a value of the wrong type",
};

/// What a route with a body may answer about it.
const WITH_BODY: [Answer; 2] = [
    Answer {
        kinds: &[ProblemType::MalformedJson],
        description: "Malformed JSON (`malformed-json`) or a value of the wrong type",
    },
    Answer {
        kinds: &[ProblemType::UnsupportedMediaType],
        description: "No `Content-Type: application/json` (`unsupported-media-type`)",
    },
];

/// Adds to every operation the answers of its kind of route (`BUSINESS` under `/api/`,
/// `WITH_PARAMETER`, `WITH_BODY`, both), where it does not document that status
/// itself.
pub fn add_common_answers(openapi: &mut OpenApi) {
    for (path, item) in &mut openapi.paths.paths {
        let business = path.starts_with("/api/");
        let has_parameter = path.contains('{');
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let mut common = Vec::new();
            if business {
                common.extend(BUSINESS);
            }
            let has_body = operation.request_body.is_some();
            match (has_parameter, has_body) {
                (true, true) => common.push(WITH_PARAMETER_AND_BODY),
                (true, false) => common.push(WITH_PARAMETER),
                (false, _) => {}
            }
            if has_body {
                common.extend(WITH_BODY);
            }
            for answer in common {
                operation
                    .responses
                    .responses
                    .entry(answer.status().to_string())
                    .or_insert_with(|| problem_response(answer.description).into());
            }
        }
    }
}

/// The closed lists of problem types and field codes, as enums of the document:
/// `Problem.type` is one of `ProblemType`, `FieldProblem.code` one of `FieldCode`.
/// Applied to the assembled document (the routes' own schemas would overwrite it
/// earlier).
pub fn add_closed_lists(openapi: &mut OpenApi) {
    use domain::error::FieldCode;
    let components = openapi.components.get_or_insert_with(Default::default);
    let list = |description: &str, values: Vec<String>| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(values))
            .build()
    };
    components.schemas.insert(
        "ProblemType".to_owned(),
        list(
            "Every kind of problem the API answers with (`Problem.type`); clients may rely on the list being complete.",
            ProblemType::ALL
                .iter()
                .map(|kind| format!("{TYPE_PREFIX}{}", kind.slug()))
                .collect(),
        )
        .into(),
    );
    components.schemas.insert(
        "FieldCode".to_owned(),
        list(
            "Every code of a field error (`FieldProblem.code`); clients may rely on the list being complete.",
            FieldCode::ALL.iter().map(|code| code.as_str().to_owned()).collect(),
        )
        .into(),
    );
    for (schema, property, target) in [
        ("Problem", "type", "ProblemType"),
        ("FieldProblem", "code", "FieldCode"),
    ] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) {
            object
                .properties
                .insert(property.to_owned(), Ref::from_schema_name(target).into());
        }
    }
}
