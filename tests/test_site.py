"""The results site in a browser: `posttrain report` on a smoke run, and the committed cpu site, opened from disk in
headless Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium): every figure loads, every link
resolves to a file or an element of its page, and screenshots are saved under figures/smoke/screenshots/."""
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import BIN, ROOT, child_env

CHROMIUM, CHROMEDRIVER = shutil.which('chromium'), shutil.which('chromedriver')
SCREENSHOTS = ROOT / 'figures' / 'smoke' / 'screenshots'  # figures/smoke/ is not committed
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


@pytest.fixture(scope='module')
def smoke_site(tmp_path_factory) -> Path:
    "A project that ran one smoke notebook with a figure, claims and tables (smoltulu_grid), and its site."
    root = tmp_path_factory.mktemp('site')
    (root / 'nbs').symlink_to(ROOT / 'nbs')
    env = child_env(POSTTRAIN_ROOT=str(root), PATH=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
    for command in (['reproduce', '--preset', 'smoke', '--only', 'smoltulu_grid'], ['report', '--preset', 'smoke']):
        result = subprocess.run([BIN / 'posttrain', *command], env=env, cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, f'posttrain {" ".join(command)}: {result.stdout}\n{result.stderr}'
    return root / 'figures' / 'smoke' / 'site' / 'index.html'


@pytest.fixture(scope='module')
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def check_page(browser, page: Path, screenshot: str) -> dict:
    """Open `page`; assert every image loaded and every link names an existing file or an element of its page; save a
    screenshot. Returns what was checked: the count of images, local links and links to other sites."""
    from selenium.webdriver.common.by import By
    browser.get(page.as_uri())
    assert browser.execute_script('return document.readyState') == 'complete'
    broken = browser.execute_script(
        'return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))')
    assert not broken, f'{page.name}: images that did not load: {broken}'
    local, external = 0, 0
    for link in browser.find_elements(By.TAG_NAME, 'a'):
        href = link.get_attribute('href')
        if not href: continue
        url = urlparse(href)
        if url.scheme in ('http', 'https', 'mailto'):
            external += 1
            continue
        assert url.scheme == 'file', f'{page.name}: link {href}'
        target = Path(unquote(url.path))
        assert target.is_file(), f'{page.name}: link to a missing file {target}'
        if url.fragment and target.resolve() == page.resolve():
            assert browser.find_elements(By.ID, unquote(url.fragment)), f'{page.name}: no element #{url.fragment}'
        local += 1
    height = browser.execute_script('return document.documentElement.scrollHeight')
    browser.set_window_size(1280, min(height, 12000))  # the whole page, up to a limit
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOTS / screenshot))
    assert (SCREENSHOTS / screenshot).read_bytes()[:4] == b'\x89PNG'
    return {'images': len(browser.find_elements(By.TAG_NAME, 'img')), 'local': local, 'external': external}


def test_smoke_index_shows_figures_claims_and_links(browser, smoke_site):
    checked = check_page(browser, smoke_site, 'smoke-index.png')
    assert checked['images'] >= 2 and checked['external'] == 0, checked  # smoltulu Figure 1 and the forest plot
    page = smoke_site.read_text()
    assert 'href="notebooks/smoltulu_grid.html"' in page and '<figcaption>Figure 1: ' in page
    assert '<table class="claims">' in page and ', preset smoke, dtype ' in page


def test_smoke_notebook_page_shows_its_outputs(browser, smoke_site):
    checked = check_page(browser, smoke_site.parent / 'notebooks' / 'smoltulu_grid.html', 'smoke-notebook.png')
    assert checked['images'] >= 1, 'the heatmaps the notebook drew are embedded in its page'


def test_committed_cpu_site(browser):
    index = ROOT / 'figures' / 'cpu' / 'site' / 'index.html'
    if not index.is_file(): pytest.skip('figures/cpu/site/ is not generated yet: `make report` after `make reproduce`')
    checked = check_page(browser, index, 'cpu-index.png')
    assert checked['images'] >= 4 and checked['external'] == 0, checked
