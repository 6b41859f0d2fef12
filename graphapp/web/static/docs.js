// The API page: Swagger UI 5 (vendored, see static/vendor/swagger-ui/VERSION.json) reads our OpenAPI description:
// in English the description itself, in Spanish its copy with Spanish summaries (the page's data-openapi).
// A static file, not an inline script, so the page keeps the site's Content-Security-Policy. Swagger UI writes
// its own labels in English with no option to change them: on a Spanish page translate.js gives each its Spanish
// one as it is drawn, never inside the description's own text (descriptions, examples, schemas, paths).
(function () {
  "use strict";
  const element = document.getElementById("swagger-ui");
  const SWAGGER_ES = {
    words: {
      "Parameters": "Parámetros",
      "No parameters": "Sin parámetros",
      "Try it out": "Probar",
      "Cancel": "Cancelar",
      "Execute": "Ejecutar",
      "Clear": "Limpiar",
      "Responses": "Respuestas",
      "Response body": "Cuerpo de la respuesta",
      "Response headers": "Cabeceras de la respuesta",
      "Request URL": "URL de la petición",
      "Request body": "Cuerpo de la petición",
      "Server response": "Respuesta del servidor",
      "Code": "Código",
      "Details": "Detalles",
      "Description": "Descripción",
      "Name": "Nombre",
      "Links": "Enlaces",
      "No links": "Sin enlaces",
      "Media type": "Tipo de medio",
      "Media Type": "Tipo de medio",
      "Collapse operation": "Plegar la operación",
      "Expand operation": "Desplegar la operación",
      "Copy cURL command to clipboard": "Copiar la orden cURL",
      "Copy code to clipboard": "Copiar el código",
      "Copy path to clipboard": "Copiar la ruta",
      "authorization button unlocked": "autorizar (sin autorización)",
      "authorization button locked": "autorizar (autorizado)",
      "Controls Accept header.": "Elige la cabecera Accept.",
      "Example Value": "Ejemplo",
      "Schema": "Esquema",
      "Schemas": "Esquemas",
      "Download": "Descargar",
      "Undocumented": "Sin documentar",
      "Loading...": "Cargando…",
      "Authorize": "Autorizar",
      "Authorized": "Autorizado",
      "Available authorizations": "Autorizaciones disponibles",
      "Logout": "Salir",
      "Close": "Cerrar",
      "Value:": "Valor:",
      "required": "obligatorio",
      "Send empty value": "Enviar vacío",
      "Add item": "Añadir elemento",
      "Add string item": "Añadir elemento",
      "Expand all": "Desplegar todo",
      "Collapse all": "Plegar todo",
      "Copy to clipboard": "Copiar",
      "Servers": "Servidores",
      "Computed URL:": "URL calculada:",
      "Filter by tag": "Filtrar por etiqueta",
      "Failed to fetch.": "No se pudo obtener la respuesta.",
      "Possible Reasons:": "Causas posibles:",
      "Network Failure": "Fallo de red",
      "Response content type": "Tipo de la respuesta",
      "Parameter content type": "Tipo del parámetro",
      "Example Description": "Descripción del ejemplo",
      "Examples": "Ejemplos"
    },
    patterns: [[/^Error: response status is (\d+)$/, "Error: la respuesta tiene el estado $1"]],
    skip: ".markdown, .renderedMarkdown, pre, code, textarea, input, .opblock-summary-path, " +
      ".opblock-summary-description, .parameter__name, .parameter__type, .parameter__in, .model-box, .model, " +
      ".prop-type, td.response-col_status:not(.col_header), .opblock-tag .nostyle, .opblock-tag small, .info, .servers select, .content-type option, " +
      ".json-schema-2020-12__title, .json-schema-2020-12__attribute"
  };
  if (typeof window.gakgTranslate === "function") {
    window.gakgTranslate(element, SWAGGER_ES);
  }
  window.ui = SwaggerUIBundle({
    url: element.dataset.openapi,
    domNode: element,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null
  });
})();
