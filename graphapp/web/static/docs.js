// The API page: Swagger UI 5 (vendored, see static/vendor/swagger-ui/VERSION.json) reads our OpenAPI document.
// A static file, not an inline script, so the page keeps the site's Content-Security-Policy.
(function () {
  "use strict";
  const element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.openapi,
    domNode: element,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null
  });
})();
