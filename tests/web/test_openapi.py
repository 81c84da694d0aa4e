"""The OpenAPI document describes exactly the API's routes, and errors are problem documents."""
import re


def _api_routes(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_lists_every_api_route_and_no_other(client, app):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert documented == _api_routes(app)


def test_every_operation_documents_its_parameters(client):
    doc = client.get("/api/v1/openapi.json").json
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == names, f"{method.upper()} {path}"
            assert operation["responses"], f"{method.upper()} {path} has no responses"


def test_unknown_api_path_is_a_problem_document(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
