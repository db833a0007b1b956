//! `POST /graphql` and the GraphiQL playground at `GET /graphql`.

use async_graphql::http::GraphiQLSource;
use async_graphql::ErrorExtensions;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse};

use super::auth::bearer_key;
use super::AppState;
use crate::schema::{ErrorCode, RequestScope};

pub(crate) async fn playground() -> impl IntoResponse {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("seam-graphql")
            .finish(),
    )
}

/// Runs one GraphQL request with the caller's key and a fresh set of loaders.
pub(crate) async fn execute(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let mut request = request.into_inner();
    let key = match bearer_key(&headers) {
        Ok(Some(key)) => Some(key),
        Ok(None) => state.default_key.as_deref().cloned(),
        Err(problem) => {
            let error = async_graphql::Error::new(problem)
                .extend_with(|_, ext| ext.set("code", ErrorCode::Unauthenticated.as_str()))
                .into_server_error(async_graphql::Pos::default());
            return async_graphql::Response::from_errors(vec![error]).into();
        }
    };
    if let Some(key) = key {
        request = request.data(RequestScope::new(&state.gateway, key));
    }
    state.schema.execute(request).await.into()
}
