"""The Python binding against an engine hosted through it: list, get, versions, validation, resolution,
the cache offline, and errors. Mirrors the C++ client tests."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import mcpreg  # noqa: E402

SEED = os.environ["MCPREG_TEST_SEED"]
GITHUB = "io.github.github/github-mcp-server"


class EngineAndClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = mcpreg.Engine(seed_file=SEED, anonymous_auth=True)
        cls.url = cls.engine.listen()

    @classmethod
    def tearDownClass(cls):
        cls.engine.close()

    def test_engine_in_process(self):
        self.assertGreaterEqual(len(self.engine), 2376)
        status, body = self.engine.handle("GET", "/v0.1/servers?limit=2")
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(body)["servers"]), 2)
        status, _ = self.engine.handle("GET", "/v0.1/servers/nothing%2Fhere/versions/latest")
        self.assertEqual(status, 404)

    def test_list_every_latest_server(self):
        with mcpreg.Client(self.url) as client:
            names = [s.name for s in client.servers(latest_only=True)]
        self.assertGreaterEqual(len(names), 902)
        self.assertEqual(len(set(names)), len(names))
        self.assertEqual(names, sorted(names))

    def test_search_and_get(self):
        with mcpreg.Client(self.url) as client:
            found = list(client.servers(search="github-mcp-server", latest_only=True))
            self.assertIn(GITHUB, [s.name for s in found])
            server = client.get(GITHUB)
            self.assertEqual(server.status, "active")
            self.assertTrue(server.is_latest)
            versions = list(client.versions(GITHUB))
            self.assertGreater(len(versions), 1)
            self.assertTrue(all(v.name == GITHUB for v in versions))

    def test_publish_then_mirror_and_search(self):
        with mcpreg.Client(self.url) as client, mcpreg.Catalog() as catalog:
            first = catalog.sync(client)
            self.assertEqual(first["added"], first["fetched"])
            token = client.login("none")
            doc = json.dumps({"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
                              "name": "io.modelcontextprotocol.anonymous/python", "description": "From Python quokkas",
                              "version": "1.0.0"})
            stored = client.publish(mcpreg.Server.parse(doc), token)
            self.assertTrue(stored.is_latest)
            with self.assertRaises(mcpreg.Error) as caught:
                client.publish(mcpreg.Server.parse(doc), token)
            self.assertEqual(caught.exception.http_status, 400)
            client.set_status("io.modelcontextprotocol.anonymous/python", "deprecated", token, version="1.0.0")
            self.assertEqual(catalog.sync(client)["added"], 1)
            found = catalog.search("quokkas")
            self.assertEqual([s.name for s in found], ["io.modelcontextprotocol.anonymous/python"])
            self.assertEqual(found[0].status, "deprecated")
            self.assertEqual(len(catalog), first["fetched"] + 1)

    def test_errors_carry_the_http_status(self):
        with mcpreg.Client(self.url) as client:
            with self.assertRaises(mcpreg.Error) as caught:
                client.get("io.github.nobody/none")
        self.assertEqual(caught.exception.http_status, 404)
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(mcpreg.Error):
            mcpreg.Client("not a url")

    def test_cache_answers_offline(self):
        with tempfile.TemporaryDirectory() as folder:
            cache = os.path.join(folder, "cache.db")
            with mcpreg.Client(self.url, cache_path=cache) as client:
                client.get(GITHUB)
            with mcpreg.Client("http://127.0.0.1:1", cache_path=cache, offline=True) as offline:
                with self.assertRaises(mcpreg.Error):
                    offline.get(GITHUB)  # another registry URL: another cache key
            with mcpreg.Client(self.url, cache_path=cache, offline=True) as offline:
                self.assertEqual(offline.get(GITHUB).name, GITHUB)


class ModelAndResolve(unittest.TestCase):
    DOC = json.dumps({
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "name": "io.github.example/weather", "description": "Weather", "version": "1.0.0",
        "packages": [{"registryType": "oci", "identifier": "ghcr.io/example/weather:1.0.0",
                      "transport": {"type": "stdio"},
                      "environmentVariables": [{"name": "API_KEY", "isRequired": True, "isSecret": True}]}]})

    def test_parse_and_round_trip(self):
        server = mcpreg.Server.parse(self.DOC)
        self.assertEqual(server.name, "io.github.example/weather")
        self.assertIsNone(server.title)
        self.assertEqual(json.loads(server.to_json())["packages"][0]["registryType"], "oci")
        with self.assertRaises(mcpreg.Error) as caught:
            mcpreg.Server.parse("{nope")
        self.assertEqual(caught.exception.code, -6)

    def test_validate(self):
        self.assertTrue(mcpreg.validate(self.DOC).valid)
        bad = mcpreg.validate(json.dumps({"name": "bad", "description": "d", "version": "latest"}))
        self.assertFalse(bad.valid)
        self.assertTrue(any(i["rule"] for i in bad.issues))

    def test_resolve(self):
        server = mcpreg.Server.parse(self.DOC)
        with self.assertRaises(mcpreg.MissingInputs) as caught:
            server.resolve()
        self.assertEqual(caught.exception.missing[0]["name"], "API_KEY")
        self.assertTrue(caught.exception.missing[0]["is_secret"])
        resolution = server.resolve(inputs={"API_KEY": "k-1"})
        self.assertEqual(resolution.argv, ["docker", "run", "-i", "--rm", "-e", "API_KEY",
                                           "ghcr.io/example/weather:1.0.0"])
        self.assertEqual(resolution.env, {"API_KEY": "k-1"})
        self.assertEqual(resolution.secret_env, {"API_KEY"})
        config = json.loads(resolution.config("claude"))
        # Claude Desktop expands nothing: a visible placeholder the user replaces, never the value.
        self.assertEqual(config["mcpServers"]["weather"]["env"]["API_KEY"], "<API_KEY>")
        self.assertNotIn("k-1", resolution.config("claude"))
        self.assertNotIn("k-1", resolution.config("vscode"))

    def test_version(self):
        self.assertRegex(mcpreg.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main()
