//! The domain's vocabularies as GraphQL enums: name, description and values come from
//! `domain::Vocabulary`, so the domain stays free of GraphQL and each value's documentation is
//! written once, on its variant. What async-graphql's `Enum` derive would generate, from a
//! description instead of attributes.

use crate::domain::{
    ActorKind, CasualtyCategory, DatePrecision, EventSubType, EventType, ExclusionReason,
    GeoPrecision, MentionRole, NodeType, Operation, ParticipantRole, ReconciliationRule,
    ReportStatus, Role, SourceKind, SourceStatus, StatementKind, StatementMode, StatsDimension,
    StatsInterval, StatsScope, Vocabulary, WeekStart,
};
use async_graphql::parser::types::Field;
use async_graphql::registry::{Deprecation, MetaEnumValue, MetaType, MetaTypeId, Registry};
use async_graphql::{
    ContextSelectionSet, InputType, InputValueError, InputValueResult, Name, OutputType,
    Positioned, ServerResult, Value,
};
use std::borrow::Cow;

/// A doc comment as async-graphql reads one: each line trimmed, joined by newlines.
fn description(lines: &[&str]) -> Option<String> {
    let text = lines.iter().map(|line| line.trim()).collect::<Vec<_>>().join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn register<T: Vocabulary + InputType>(registry: &mut Registry) -> String {
    registry.create_input_type::<T, _>(MetaTypeId::Enum, |_| MetaType::Enum {
        name: T::NAME.to_owned(),
        description: description(T::DOC),
        enum_values: T::VALUES
            .iter()
            .map(|(value, doc)| {
                let name = value.name().to_owned();
                let meta = MetaEnumValue {
                    name: name.clone(),
                    description: description(doc),
                    deprecation: Deprecation::NoDeprecated,
                    visible: None,
                    inaccessible: false,
                    tags: Vec::new(),
                    directive_invocations: Vec::new(),
                };
                (name, meta)
            })
            .collect(),
        visible: None,
        inaccessible: false,
        tags: Vec::new(),
        rust_typename: Some(std::any::type_name::<T>()),
        directive_invocations: Vec::new(),
        requires_scopes: Vec::new(),
    })
}

fn parse<T: Vocabulary + InputType>(value: Option<Value>) -> InputValueResult<T> {
    let value = value.unwrap_or_default();
    let name = match &value {
        Value::Enum(name) => name.as_str(),
        Value::String(name) => name.as_str(),
        _ => return Err(InputValueError::expected_type(value)),
    };
    T::VALUES.iter().map(|(value, _)| *value).find(|value| value.name() == name).ok_or_else(|| {
        InputValueError::custom(format_args!(
            r#"Enumeration type does not contain value "{name}"."#
        ))
    })
}

fn to_value<T: Vocabulary>(value: T) -> Value {
    Value::Enum(Name::new(value.name()))
}

macro_rules! graphql_enums {
    ($($ty:ty),+ $(,)?) => {$(
        impl InputType for $ty {
            type RawValueType = Self;

            fn type_name() -> Cow<'static, str> {
                Cow::Borrowed(<$ty as Vocabulary>::NAME)
            }

            fn create_type_info(registry: &mut Registry) -> String {
                register::<$ty>(registry)
            }

            fn parse(value: Option<Value>) -> InputValueResult<Self> {
                parse(value)
            }

            fn to_value(&self) -> Value {
                to_value(*self)
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }

        impl OutputType for $ty {
            fn type_name() -> Cow<'static, str> {
                Cow::Borrowed(<$ty as Vocabulary>::NAME)
            }

            fn create_type_info(registry: &mut Registry) -> String {
                register::<$ty>(registry)
            }

            async fn resolve(
                &self,
                _: &ContextSelectionSet<'_>,
                _: &Positioned<Field>,
            ) -> ServerResult<Value> {
                Ok(to_value(*self))
            }
        }
    )+};
}

graphql_enums!(
    SourceKind,
    SourceStatus,
    ActorKind,
    DatePrecision,
    GeoPrecision,
    EventType,
    EventSubType,
    ParticipantRole,
    StatementMode,
    StatementKind,
    MentionRole,
    CasualtyCategory,
    ReportStatus,
    Role,
    NodeType,
    Operation,
    ReconciliationRule,
    ExclusionReason,
    StatsDimension,
    StatsInterval,
    WeekStart,
    StatsScope,
);
