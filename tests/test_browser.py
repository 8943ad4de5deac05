"""What a student does, in a real browser: JupyterLab on 127.0.0.1 with a token, each notebook
opened in headless Chromium and run top to bottom (ci profile). Checked per notebook: no cell
ends in an error, every figure the kernel sent is drawn as an image, and the widget explorers
are live controls (sliders), not their text form; in the Chinese edition (notebooks/zh/), the
Chinese text is drawn with a font that has its glyphs (no boxes), as Chromium reports the fonts it
used. A screenshot of each notebook is saved in ``test-artifacts/browser/`` (or
``$D2L_ARTIFACTS/browser``).

Chromium cannot be downloaded by playwright here: the test uses Debian's ``chromium`` package
(``$D2L_CHROMIUM`` names another binary) and skips, saying so, where it is missing. Under CI
(``CI=true``) a missing browser is an error, since ``.ci/run`` installs it."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) + sorted((ROOT / "notebooks").glob("*/[0-9][0-9]-*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
#: font families with Chinese glyphs (Debian's fonts-wqy-microhei, Noto CJK, macOS and Windows fonts)
CJK_FONT = re.compile(r"WenQuanYi|CJK|Source Han|Droid Sans Fallback|AR PL|YaHei|PingFang|SimHei|SimSun|Heiti")
ARTIFACTS = Path(os.environ.get("D2L_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
TIMES = {}


def relative(path: Path) -> str:
    """The notebook's path under notebooks/: "01-convolution.ipynb", "zh/01-convolution.ipynb"."""
    return path.relative_to(ROOT / "notebooks").as_posix()


def chinese_glyphs(page) -> list[str]:
    """What is wrong with the Chinese of the first markdown cell's heading and paragraph: text
    whose Chinese characters Chromium drew with no Chinese font (boxes), by the fonts it reports."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    wrong = []
    for selector in (".jp-MarkdownCell .jp-RenderedMarkdown h1", ".jp-MarkdownCell .jp-RenderedMarkdown p"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            wrong.append(f"no {selector} rendered")
            continue
        text = page.locator(selector).first.inner_text()
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        chinese = sum(f["glyphCount"] for f in fonts if CJK_FONT.search(f["familyName"]))
        if len(CJK.findall(text)) and chinese < len(CJK.findall(text)):
            wrong.append(f"{text[:30]!r}: {len(CJK.findall(text))} Chinese characters, {chinese} drawn with a "
                         f"Chinese font (fonts used: {[(f['familyName'], f['glyphCount']) for f in fonts]})")
    cdp.detach()
    return wrong


def chromium_path():
    for candidate in (os.environ.get("D2L_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def missing(what: str):
    message = f"{what}: the real-browser JupyterLab test cannot run (on Debian: apt-get install chromium)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + "; CI must install it (.ci/run does)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (runs never touch the committed files)."""
    if not chromium_path():
        missing("Chromium is not installed")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("the Python package playwright is not installed")
    if not (Path(sys.prefix) / "bin" / "jupyter").exists():
        missing("JupyterLab is not installed")
    home = tmp_path_factory.mktemp("lab")
    served = home / "notebooks"
    served.mkdir()
    for path in NOTEBOOKS:
        (served / relative(path)).parent.mkdir(exist_ok=True)
        shutil.copy(path, served / relative(path))
    # a fresh user: no news pop-up over the screenshots, every cell laid out (no windowing)
    settings = home / "settings"
    for plugin, values in (("@jupyterlab/apputils-extension/notification", {"fetchNews": "false"}),
                           ("@jupyterlab/notebook-extension/tracker", {"windowingMode": "none"})):
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / plugin).with_name(plugin.rsplit("/", 1)[1] + ".jupyterlab-settings").write_text(json.dumps(values))
    port, token = free_port(), "browser-test-token"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_CONFIG_DIR=str(home / "config"),
               D2L_PROFILE=os.environ.get("D2L_PROFILE", "ci"), TQDM_DISABLE="1")
    cmd = [str(Path(sys.prefix) / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={settings}",
           f"--LabApp.workspaces_dir={home / 'workspaces'}"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "wb")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 90 s:\n" + (home / "lab.log").read_text()[-3000:])
    yield {"base": base, "token": token, "log": home / "lab.log"}
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update"])
        yield chromium
        chromium.close()


# The notebook is the current tab and its kernel is connected and idle.
READY = """name => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.context && panel.context.path === name && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""


# Read the open notebook's model: per code cell, its output types and MIME types.
MODEL = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    cells.push({source: cell.sharedModel.getSource().slice(0, 80), count: cell.executionCount,
                types: outputs.map(o => o.output_type),
                mimes: outputs.flatMap(o => Object.keys(o.data || {})),
                error: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue)});
  }
  return cells;
}"""


# What the page shows: decoded images (figures, and those widgets draw), live widget controls, and widgets left as their text form.
DRAWN = """() => {
  const outputs = '.jp-OutputArea-output';
  const images = Array.from(document.querySelectorAll('.jp-RenderedImage img'))
    .filter(i => i.naturalWidth > 0).length;
  const controls = document.querySelectorAll(outputs + ' .jupyter-widgets input, ' + outputs
    + ' .jupyter-widgets select, ' + outputs + ' .jupyter-widgets .widget-slider').length;
  const sliders = document.querySelectorAll(outputs + ' .widget-slider').length;
  const asText = Array.from(document.querySelectorAll(outputs + '[data-mime-type="text/plain"]'))
    .filter(o => /^(interactive|[A-Z][A-Za-z]*(Slider|Box|Dropdown))\\(/.test(o.textContent.trim())).length;
  const broken = Array.from(document.querySelectorAll(outputs))
    .filter(o => /Error displaying widget|Loading widget/.test(o.textContent)).length;
  return {images, controls, sliders, asText, broken};
}"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=relative)
def test_notebook_runs_in_jupyterlab(path, lab, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console_errors = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    start = time.monotonic()
    name, stem = relative(path), relative(path).removesuffix(".ipynb").replace("/", "-")
    glyphs = []
    try:
        # a workspace of its own, so that no tab of an earlier notebook is restored beside it
        page.goto(f"{lab['base']}/lab/workspaces/{stem}/tree/{name}?reset&token={lab['token']}",
                  timeout=90_000)
        page.wait_for_function(READY, arg=name, timeout=120_000)
        # the committed outputs go first, so that every output checked below is this run's
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        # resolves once every cell has run (or one has failed)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function("() => !Array.from(document.querySelectorAll('.jp-InputPrompt'))"
                               ".some(p => p.textContent.includes('[*]'))", timeout=600_000)
        seconds = time.monotonic() - start
        cells = page.evaluate(MODEL)
        page.evaluate("() => document.querySelector('.jp-NotebookPanel .jp-Cell').scrollIntoView()")
        # every cell is laid out (windowing is off): wait for the images to decode, then count
        page.wait_for_function("() => Array.from(document.querySelectorAll('.jp-RenderedImage img'))"
                               ".every(i => i.complete)", timeout=30_000)
        drawn = page.evaluate(DRAWN)
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"))
        if path.parent.name == "zh":
            glyphs = chinese_glyphs(page)
        explorer = page.locator(".jp-CodeCell:has(.jupyter-widgets)").first
        if drawn["controls"]:   # the first widget explorer, as a student sees it
            explorer.scroll_into_view_if_needed()
            explorer.screenshot(path=str(ARTIFACTS / f"{stem}-explorer.png"))
    finally:
        try:    # free the kernel's memory for the next notebook; a failure above stays the error
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception:
            pass
        page.close()
    TIMES[name] = seconds
    errors = [f"{c['source']!r}: {c['error']}" for c in cells if c["error"]]
    assert not errors, f"cells ended in errors:\n" + "\n".join(errors)
    unrun = [c["source"] for c in cells if c["source"].strip() and c["count"] is None]
    assert not unrun, f"cells never ran: {unrun[:3]}"
    figures = sum(m.startswith("image/") for c in cells for m in c["mimes"])
    # (widget explorers draw figures of their own inside the page, hence at least)
    assert drawn["images"] >= figures, f"{figures} figures sent, {drawn['images']} drawn as images"
    widgets = sum(m == "application/vnd.jupyter.widget-view+json" for c in cells for m in c["mimes"])
    if widgets:
        assert drawn["controls"] >= widgets, f"{widgets} widgets but {drawn['controls']} live controls"
    assert drawn["asText"] == 0, "a widget shows as text, not as controls"
    assert drawn["broken"] == 0, "a widget failed to render (or never finished loading)"
    assert not console_errors, f"page errors: {console_errors[:3]}"
    assert not glyphs, "Chinese drawn without a Chinese font (boxes): " + "; ".join(glyphs)
    print(f"{name}: ran in {seconds:.1f} s in the browser; {figures} figures "
          f"({drawn['images']} drawn), {widgets} widgets ({drawn['controls']} controls, {drawn['sliders']} sliders)")
    (ARTIFACTS / "times.json").write_text(json.dumps(TIMES, indent=1) + "\n")
