"""The REST layer: routing, body checks, JSON error documents, OpenAPI, Ryu-style controllers."""

import json

from webob import Request

from ctrlapp.app.wsgi import ControllerBase as RyuControllerBase
from ctrlapp.rest.errors import bad_request
from ctrlapp.rest.openapi import build_document
from ctrlapp.rest.wsgi import ControllerBase, Response, WSGIApplication, request_json, route


class Things(ControllerBase):
    def __init__(self, req, link, data, **config):
        super().__init__(req, link, data, **config)
        self.store = data

    @route("things", "/v1/things", methods=["GET"], query={"name": "only this name"})
    def list_things(self, req, **kwargs):
        """List things."""
        name = req.GET.get("name")
        return [t for t in self.store.values() if name is None or t["name"] == name]

    @route("things", "/v1/things", methods=["POST"], body={"type": "object"})
    def add(self, req, **kwargs):
        body = request_json(req)
        if not isinstance(body, dict) or "name" not in body:
            raise bad_request("body needs a 'name'")
        key = str(len(self.store) + 1)
        self.store[key] = {"id": key, "name": body["name"]}
        return 201, self.store[key]

    @route("things", "/v1/things/{key}", methods=["GET"], requirements={"key": "[0-9]+"})
    def one(self, req, key, **kwargs):
        return self.store[key] if key in self.store else None

    @route("things", "/v1/things/{key}", methods=["DELETE"], requirements={"key": "[0-9]+"})
    def delete(self, req, key, **kwargs):
        self.store.pop(key, None)

    @route("things", "/v1/boom", methods=["GET"])
    def boom(self, req, **kwargs):
        raise RuntimeError("bug")

    @route("things", "/v1/raw", methods=["GET"])
    def raw(self, req, **kwargs):
        return Response(body=b"plain", content_type="text/plain")


def make_app(max_body=1024):
    app = WSGIApplication(max_body=max_body)
    app.register(Things, {})
    return app


def call(app, method, path, body=None, content_type="application/json"):
    req = Request.blank(path, method=method)
    if body is not None:
        req.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        req.content_type = content_type
    return req.get_response(app)


def test_create_list_get_delete():
    app = make_app()
    r = call(app, "POST", "/v1/things", {"name": "a"})
    assert r.status_int == 201 and r.json == {"id": "1", "name": "a"}
    call(app, "POST", "/v1/things", {"name": "b"})
    assert [t["name"] for t in call(app, "GET", "/v1/things").json] == ["a", "b"]
    assert call(app, "GET", "/v1/things?name=b").json == [{"id": "2", "name": "b"}]
    assert call(app, "GET", "/v1/things/1").json["name"] == "a"
    assert call(app, "DELETE", "/v1/things/1").status_int == 204
    assert call(app, "GET", "/v1/things/1").status_int == 204


def test_errors_are_json_documents():
    app = make_app(max_body=64)
    r = call(app, "GET", "/v1/nothing")
    assert r.status_int == 404 and r.json["error"] == "not_found" and r.json["detail"]
    r = call(app, "PUT", "/v1/things")
    assert r.status_int == 405 and r.headers["Allow"] == "GET, POST"
    r = call(app, "GET", "/v1/things/abc")  # requirement not met: no such resource
    assert r.status_int == 404
    r = call(app, "POST", "/v1/things", b"{not json")
    assert r.status_int == 400 and "JSON" in r.json["detail"]
    r = call(app, "POST", "/v1/things", b"name=a", content_type="application/x-www-form-urlencoded")
    assert r.status_int == 415
    r = call(app, "POST", "/v1/things", {"name": "x" * 100})
    assert r.status_int == 413 and r.json["error"] == "payload_too_large"
    r = call(app, "POST", "/v1/things", [1, 2])
    assert r.status_int == 400 and r.json == {
        "error": "bad_request",
        "detail": "body needs a 'name'",
    }
    r = call(app, "POST", "/v1/things", b"\xff\xfe")
    assert r.status_int == 400


def test_handler_bug_is_500_and_logged(caplog):
    r = call(make_app(), "GET", "/v1/boom")
    assert r.status_int == 500 and r.json["error"] == "internal_error"
    assert "bug" not in r.json["detail"]  # internals stay in the log
    assert any("/v1/boom" in rec.getMessage() for rec in caplog.records)


def test_response_objects_pass_through():
    r = call(make_app(), "GET", "/v1/raw")
    assert r.body == b"plain" and r.content_type == "text/plain"


def test_openapi_lists_every_route():
    app = make_app()
    doc = build_document(app.router)
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/v1/things", "/v1/things/{key}", "/v1/boom", "/v1/raw"}
    get = doc["paths"]["/v1/things"]["get"]
    assert get["summary"] == "List things."
    assert {
        "name": "name",
        "in": "query",
        "required": False,
        "description": "only this name",
        "schema": {"type": "string"},
    } in get["parameters"]
    post = doc["paths"]["/v1/things"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    key = doc["paths"]["/v1/things/{key}"]["get"]["parameters"][0]
    assert key["in"] == "path" and key["schema"]["pattern"] == "[0-9]+"
    ids = [op["operationId"] for p in doc["paths"].values() for op in p.values()]
    assert len(ids) == len(set(ids))


def test_ryu_import_path():
    assert RyuControllerBase is ControllerBase
