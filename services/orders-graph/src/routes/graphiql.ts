import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Request } from 'express';

/**
 * GraphiQL at `GET /graphql` for browsers. A GET whose Accept prefers text/html (what a browser
 * sends for a page) gets GraphiQL's page; every other request (a POST, a GET asking for JSON or
 * for anything, as curl's `*` does) goes on to graphql-http unchanged. The page's scripts and
 * styles are GraphiQL 3's and React 18's browser builds from node_modules, served under
 * `/graphiql/` by this service: the page loads nothing from anywhere else.
 */
export function graphiqlRoutes(): Router {
  const router = Router();
  router.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) {
      next();
      return;
    }
    res.type('html').send(PAGE);
  });
  // Middleware, not routes: assets are not part of the API.
  router.use('/graphiql', (req, res, next) => {
    if (req.method !== 'GET') {
      next();
      return;
    }
    if (req.path === '/init.js') {
      res.type('application/javascript').send(INIT);
      return;
    }
    const file = ASSETS.get(req.path.slice(1));
    if (!file) {
      next();
      return;
    }
    res.sendFile(file, { maxAge: '1h' }, (err) => {
      if (err) next(err);
    });
  });
  return router;
}

/** True when the request prefers HTML to JSON: on a tie (`*`, no Accept header) JSON wins. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

/** The files the page uses, by the name it asks for them under `/graphiql/`. */
const ASSETS = new Map<string, string>([
  ['react.production.min.js', path.join(packageDir('react'), 'umd', 'react.production.min.js')],
  ['react-dom.production.min.js', path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js')],
  ['graphiql.min.js', path.join(packageDir('graphiql'), 'graphiql.min.js')],
  ['graphiql.min.js.map', path.join(packageDir('graphiql'), 'graphiql.min.js.map')],
  ['graphiql.min.css', path.join(packageDir('graphiql'), 'graphiql.min.css')],
  ['graphiql.min.css.map', path.join(packageDir('graphiql'), 'graphiql.min.css.map')],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>orders-graph — GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <link rel="icon" href="data:,">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>
`;

/** An order by id: an id comes from `POST /orders` or `oms smoke`. */
const ORDER_BY_ID = `# An order by id, enriched by orders-stream: put an id from POST /orders
# (or \`oms smoke\`) in the variables below, then run (Ctrl-Enter).
query OrderById($id: ID!) {
  order(id: $id) {
    id
    createdAt
    updatedAt
    total
    customer { id name lastName email }
    items {
      sku
      description
      unitPrice
      quantity
      lineTotal
      deliveryAddress { streetType streetName streetNumber buildingNumber departmentNumber reference }
    }
  }
}
`;

/** A customer's orders by email in a date range (a date-only toDate includes that whole day). */
const CUSTOMER_ORDERS = `# A customer's orders by email in a date range, newest first. A date-only
# toDate includes that whole UTC day; name filters partially instead of email.
query CustomerOrders($email: String!, $fromDate: String, $toDate: String) {
  orders(customer: { email: $email }, fromDate: $fromDate, toDate: $toDate, limit: 20, offset: 0) {
    total
    items {
      id
      createdAt
      total
      customer { name lastName email }
      items { sku description quantity lineTotal }
    }
  }
}
`;

// Browser code. `?query=…&variables=…` (a link, a test) puts that request in the first tab.
// Dates of the example are the last 30 days, computed where the page runs.
const INIT = `(function () {
  var day = function (d) { return d.toISOString().slice(0, 10); };
  var now = new Date();
  var tabs = [
    { query: ${JSON.stringify(ORDER_BY_ID)}, variables: JSON.stringify({ id: '00000000-0000-0000-0000-000000000000' }, null, 2) },
    { query: ${JSON.stringify(CUSTOMER_ORDERS)}, variables: JSON.stringify({ email: 'ada@example.com', fromDate: day(new Date(now.getTime() - 30 * 86400000)), toDate: day(now) }, null, 2) },
  ];
  var params = new URLSearchParams(window.location.search);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
    defaultTabs: tabs,
    query: params.get('query') || undefined,
    variables: params.get('variables') || undefined,
    defaultEditorToolsVisibility: 'variables',
    shouldPersistHeaders: false,
  }));
})();
`;
