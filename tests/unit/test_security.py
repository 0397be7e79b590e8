"""Security settings and source checks: the server config, and what a reviewer would grep the app's code for.

Each scanner reads every .py file of app.py, core/, ui/ and pages/ as text (so code templates inside strings
are checked too) and returns "file:line: problem" lines. Each scanner also gets a snippet that breaks its
rule, so a scanner that stops finding anything fails its own test.
"""

import ast
import re
import tomllib
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from core.pretrained import ModelUnavailable
from core.text import registry as text_registry
from core.vision import registry as vision_registry

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("core", "ui", "pages")
# Raw HTML sent to browsers, each with why it cannot carry a visitor's markup: (file, argument) -> why.
RAW_HTML_ALLOWED = {
    ("ui/live.py", "PIXELATED_STYLE"): "a constant <style> rule, no user content",
    ("ui/cards.py", "anchor_html(card)"): "an empty <span> whose id is a registry card name, no user content",
    ("pages/sentiment.py", "highlighted_html(text, spans, result.word_scores, note)"): (
        "html.escape()s every piece of the visitor's text "
        "(tests/unit/test_text_attributions.py::test_highlighted_html_escapes_user_text)"
    ),
}
# The one network download in the app: registry entries only, hash-checked (the tests below).
NETWORK_ALLOWED = {("core/vision/registry.py", "urlopen")}


def app_sources() -> dict[str, str]:
    """{repo-relative path: text} of every Python file the app runs."""
    paths = [REPO / "app.py", *(p for d in SCANNED for p in sorted((REPO / d).rglob("*.py")))]
    return {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def calls(source: str, name: str) -> list[tuple[int, str]]:
    """Each call `name(...)` in the text, code or template, as (line, the text between its brackets)."""
    found = []
    for match in re.finditer(rf"(?<!\w){re.escape(name)}\s*\(", source):
        depth = 0
        for end in range(match.end() - 1, len(source)):
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            if depth == 0:
                break
        found.append((line_of(source, match.start()), " ".join(source[match.end() : end].split())))
    return found


def raw_html(sources: dict[str, str]) -> list[str]:
    """unsafe_allow_html=True anywhere, and st.html / components.html outside RAW_HTML_ALLOWED."""
    problems = []
    for path, source in sources.items():
        for match in re.finditer(r"unsafe_allow_html\s*=\s*(?!False\b)", source):
            problems.append(f"{path}:{line_of(source, match.start())}: unsafe_allow_html is not False")
        for name in ("st.html", "components.html", "components.v1.html"):
            for line, argument in calls(source, name):
                if (path, argument) not in RAW_HTML_ALLOWED:
                    problems.append(f"{path}:{line}: {name}({argument}) is not in RAW_HTML_ALLOWED")
    return problems


def unsafe_torch_load(sources: dict[str, str]) -> list[str]:
    """torch.load without weights_only=True (a full unpickle can run any code the file names)."""
    return [
        f"{path}:{line}: torch.load({argument}) without weights_only=True"
        for path, source in sources.items()
        for line, argument in calls(source, "torch.load")
        if "weights_only=True" not in argument
    ]


def remote_code(sources: dict[str, str]) -> list[str]:
    """trust_remote_code set to anything but False."""
    return [
        f"{path}:{line_of(source, m.start())}: trust_remote_code is not False"
        for path, source in sources.items()
        for m in re.finditer(r"trust_remote_code(?!\s*=\s*False\b)", source)
    ]


UNPICKLERS = ("pickle.load", "pickle.loads", "pd.read_pickle", "joblib.load", "dill.load", "marshal.loads")


def unsafe_unpickling(sources: dict[str, str]) -> list[str]:
    """Unrestricted unpickling: pickle.load(s) and friends, np.load with allow_pickle=True, and an Unpickler
    subclass without its own find_class (the allowlist that refuses every other global)."""
    problems = []
    for path, source in sources.items():
        problems += [f"{path}:{line}: {name}(...)" for name in UNPICKLERS for line, _ in calls(source, name)]
        problems += [
            f"{path}:{line_of(source, m.start())}: allow_pickle=True"
            for m in re.finditer(r"allow_pickle\s*=\s*True", source)
        ]
        for m in re.finditer(r"class \w+\(pickle\.Unpickler\):", source):
            body = re.split(r"\n(?=\S)", source[m.end() :], maxsplit=1)[0]
            if "def find_class(" not in body:
                problems.append(f"{path}:{line_of(source, m.start())}: Unpickler without find_class")
    return problems


FILE_READS = (
    r"(?<![\w.])open\(",
    r"\.open\(",
    r"Path\(",
    r"\.read_bytes\(",
    r"\.read_text\(",
    r"os\.path\.",
    r"read_csv\(",
    r"np\.load\(",
    r"torch\.load\(",
    r"load_file\(",
    r"\.iterdir\(",
    r"\.glob\(",
)


def page_file_reads(sources: dict[str, str]) -> list[str]:
    """Pages and Streamlit helpers never touch the disk: uploads arrive as bytes (`.getvalue()`) and go to
    core functions that take bytes, so nothing a visitor types can become a path to read."""
    return [
        f"{path}:{line_of(source, m.start())}: reads a file ({m.group()}...) in a page"
        for path, source in sources.items()
        if path == "app.py" or path.startswith(("pages/", "ui/"))
        for pattern in FILE_READS
        for m in re.finditer(pattern, source)
    ]


NETWORK = ("urlopen", "urlretrieve", "requests.get", "httpx.get", "hf_hub_download", "snapshot_download")
NETWORK += ("torch.hub.load", "load_state_dict_from_url", "download_url")


def network_fetches(sources: dict[str, str]) -> list[str]:
    """Every network fetch outside NETWORK_ALLOWED, and `download=True` (torchvision datasets)."""
    problems = [
        f"{path}:{line}: {name}(...) fetches from the network"
        for path, source in sources.items()
        for name in NETWORK
        for line, _ in calls(source, name)
        if (path, name) not in NETWORK_ALLOWED
    ]
    return problems + [
        f"{path}:{line_of(source, m.start())}: download=True"
        for path, source in sources.items()
        for m in re.finditer(r"download\s*=\s*True", source)
        if "#" not in source[source.rfind("\n", 0, m.start()) + 1 : m.start()]  # quoted in a comment
    ]


def hub_loads(sources: dict[str, str]) -> list[str]:
    """Hugging Face loads the app itself runs (not templates in strings): from_pretrained only with
    local_files_only=True, and pipeline() only over a model object, never a name it would fetch."""
    problems = []
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            keywords = {k.arg: k.value for k in node.keywords}
            local = keywords.get("local_files_only")
            if name == "from_pretrained" and not (isinstance(local, ast.Constant) and local.value is True):
                problems.append(f"{path}:{node.lineno}: from_pretrained without local_files_only=True")
            model = keywords.get("model", node.args[1] if len(node.args) > 1 else None)
            if name == "pipeline" and (model is None or isinstance(model, ast.Constant)):
                problems.append(f"{path}:{node.lineno}: pipeline() would fetch a model by name")
    return problems


def typed_model_names(sources: dict[str, str]) -> list[str]:
    """A free-text widget asking for a model: pages offer the registries' names in select boxes only."""
    return [
        f"{path}:{line}: {widget}({argument[:60]}) lets a visitor type a model name"
        for path, source in sources.items()
        for widget in ("text_input", "text_area", "chat_input")
        for line, argument in calls(source, widget)
        if re.search(r"model|backbone|weights|checkpoint|repo", argument.split(",")[0], re.IGNORECASE)
    ]


SCANNERS = {
    raw_html: ('st.markdown(f"<b>{name}</b>", unsafe_allow_html=True)', 'st.html(f"<p>{text}</p>")'),
    unsafe_torch_load: ('state = torch.load(\n    path, map_location="cpu"\n)', 'x = torch.load("f.pt")'),
    remote_code: ("AutoModel.from_pretrained(name, trust_remote_code=True)", "trust_remote_code: bool = 1"),
    unsafe_unpickling: (
        "data = pickle.loads(raw)",
        "class Open(pickle.Unpickler):\n    pass\n\n\ndef find_class(): ...",
    ),
    page_file_reads: ('text = open(st.text_input("File")).read()', "image = Image.open(upload.name)"),
    network_fetches: ('hf_hub_download(st.text_input("Repo"), "model.bin")', "MNIST(root, download=True)"),
    hub_loads: (
        "model = AutoModel.from_pretrained(name)",
        'classifier = pipeline("sentiment-analysis", model="someone/model")',
    ),
    typed_model_names: ('name = st.text_input("Model name")', 'st.text_area("Hub repo to load", key="x")'),
}


@pytest.mark.parametrize("scanner", SCANNERS, ids=lambda f: f.__name__)
def test_the_app_passes_every_scanner(scanner) -> None:
    problems = scanner(app_sources())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("scanner", "snippet"),
    [(scanner, snippet) for scanner, snippets in SCANNERS.items() for snippet in snippets],
    ids=lambda x: getattr(x, "__name__", "snippet"),
)
def test_each_scanner_catches_an_offending_snippet(scanner, snippet: str) -> None:
    problems = scanner({"pages/offending.py": snippet})
    assert problems and all(p.startswith("pages/offending.py:") for p in problems), problems


def test_scanners_name_the_line() -> None:
    snippet = "import torch\n\n\nstate = torch.load(path)\n"
    assert unsafe_torch_load({"core/x.py": snippet}) == [
        "core/x.py:4: torch.load(path) without weights_only=True"
    ]


def test_safe_forms_pass_the_scanners() -> None:
    safe = {
        "core/ok.py": 'state = torch.load(\n    path, map_location="cpu", weights_only=True\n)\n'
        "model = AutoModel.from_pretrained(path, local_files_only=True, trust_remote_code=False)\n"
        "pipe = pipeline('sentiment-analysis', model=model, tokenizer=tokenizer)\n"
        "class Arrays(pickle.Unpickler):\n    def find_class(self, module, name):\n        raise Error\n",
        "pages/ok.py": 'st.markdown("**bold**")\nname = st.selectbox("Model", list(MODELS))\n'
        "picture = load_image(upload.getvalue())\n",
    }
    assert [problem for scanner in SCANNERS for problem in scanner(safe)] == []


def test_every_raw_html_allowance_is_still_used() -> None:
    sources = app_sources()
    used = {(path, a) for path, s in sources.items() for _, a in calls(s, "st.html")}
    assert set(RAW_HTML_ALLOWED) <= used, "stale RAW_HTML_ALLOWED entries: " + str(
        set(RAW_HTML_ALLOWED) - used
    )


def test_streamlit_server_settings() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["maxUploadSize"] == 20  # MB; core.vision.images.MAX_FILE_MB refuses the same
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert server.get("enableStaticServing", False) is False  # no folder served as-is


def test_download_refuses_an_entry_that_is_not_the_registrys(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("download_weights opened a connection")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    forged = replace(
        vision_registry.get_model("resnet18"), url="https://attacker.example/resnet18-f37072fd.pth"
    )
    with pytest.raises(ModelUnavailable, match="not a registry entry"):
        vision_registry.download_weights(forged)
    renamed = replace(forged, name="someone/model")
    with pytest.raises(ModelUnavailable, match="not a registry entry"):
        vision_registry.download_weights(renamed)


def test_registry_downloads_come_from_pytorch_org_only() -> None:
    urls = [entry.url for entry in vision_registry.MODELS.values() if entry.url is not None]
    assert urls and all(url.startswith("https://download.pytorch.org/models/") for url in urls), urls


@pytest.mark.parametrize("registry", [vision_registry, text_registry], ids=["vision", "text"])
def test_unknown_model_names_are_refused(registry) -> None:
    with pytest.raises(ModelUnavailable, match="unknown model"):
        registry.get_model("someone/arbitrary-hub-model")


def test_a_local_text_model_directory_is_offered_only_when_the_operator_sets_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(text_registry.LOCAL_DIR_ENV, raising=False)
    off = text_registry.MODELS["local-dir"].availability()
    assert not off.available and text_registry.LOCAL_DIR_ENV in off.reason
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    monkeypatch.setenv(text_registry.LOCAL_DIR_ENV, str(tmp_path))
    assert text_registry.MODELS["local-dir"].availability().available
