// Strata's CloudFront viewer-request function (CloudFront Functions, JavaScript runtime 2.0).
// The same rules the Worker applies before it forwards (edge/http/api-only.ts,
// edge/upstream/forward.ts): only the API (/v1/…) is served, so the origin's internals are a 404
// here; every client `x-strata-*` header is dropped (those are the edge's to set); so are headers
// an intermediary could use to change what the origin answers; and the client address is passed
// as `x-strata-client-ip`. CloudFront adds the edge token itself (an origin custom header).
var UNKEYED = [
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-host',
  'x-original-url',
  'x-original-host',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'forwarded',
];

function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('/v1/') !== 0) {
    var error = { code: 'not_found', message: 'no route for ' + request.uri + ': the edge serves /v1/…', requestId: event.context.requestId };
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } },
      body: { encoding: 'text', data: JSON.stringify({ error: error }) },
    };
  }
  for (var name in request.headers) {
    if (name.indexOf('x-strata-') === 0 || UNKEYED.indexOf(name) >= 0) delete request.headers[name];
  }
  request.headers['x-strata-client-ip'] = { value: event.viewer.ip };
  return request;
}
