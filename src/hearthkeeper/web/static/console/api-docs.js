// The API's documentation page (/api/docs): Swagger UI, served from this server, reading the
// OpenAPI document the page names in data-openapi.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.openapi, domNode: root, deepLinking: true });
});
