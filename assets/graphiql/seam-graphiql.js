// Starts GraphiQL on the page served at GET /graphql. It lives in its own file, not inline, so
// that the page's Content-Security-Policy can allow scripts from this server only.
(function () {
  "use strict";
  // Subscriptions go over the websocket beside the HTTP endpoint, on the page's own host.
  var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: "/graphql",
    subscriptionUrl: scheme + "//" + window.location.host + "/graphql/ws",
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();
