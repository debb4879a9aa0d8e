"""Every main page in a real browser at desktop and phone size: no serious or critical
axe-core violation, nothing wider than the screen, one header line; on a phone a bottom
tab bar and touch targets of at least 44 x 44 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from socialapp.accounts.services import follow_create
from socialapp.chat.services import conversation_start
from socialapp.photos.services import comment_create, like_create
from tests.browser import Browsing, assert_no_horizontal_overflow
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.services

# One header line: the brand is 1.3rem, a 44 px target and the bar's padding around it.
HEADER_MAX = 60
TOUCH_MIN = 44
TABS = ["Home", "Search", "Post", "Messages", "Profile"]
# What a thumb presses: buttons anywhere and every control of the header and the tab bar
# (inline links in running text are exempt, as WCAG 2.5.8 allows).
TARGETS = "button, .button, select, input[type=submit], .topbar a, .topbar summary, .tabbar a"


def _people():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice, caption="Sunset at the beach #sunset")
    like_create(user=bob, photo=photo)
    comment_create(author=bob, photo=photo, text="Great shot @alice")
    conversation_start(user=bob, other=alice)
    return alice, photo


def _small_targets(page: Page) -> list[str]:
    return page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
          .filter(el => el.checkVisibility())
          .map(el => [el.getBoundingClientRect(), el])
          .filter(([box]) => box.width < least || box.height < least)
          .map(([box, el]) => `${el.outerHTML.slice(0, 80)} ${box.width}x${box.height}`)""",
        [TARGETS, TOUCH_MIN],
    )


def test_the_main_pages_are_accessible_and_fit_the_screen(app_server, browsing: Browsing):
    alice, photo = _people()
    pages = {
        "home": "/",
        "post": photo.get_absolute_url(),
        "profile": "/u/alice/",
        "search": "/search/?q=sunset",
        "shop": "/shop/",
        "upload": "/p/new/",
        "messages": "/messages/",
        "notifications": "/notifications/",
        "settings": "/settings/",
        "notification-settings": "/settings/notifications/",
    }
    signed_in = browsing.context(alice, app_server.url())
    page = browsing.open(app_server.url("/"), context=signed_in)
    for name, path in pages.items():
        page.goto(app_server.url(path))
        browsing.check(page, name)
        header = page.locator("header.topbar").bounding_box()
        assert header is not None and header["height"] <= HEADER_MAX, (name, header)
        if browsing.size == "phone":
            assert _small_targets(page) == [], name

    visitor = browsing.open(app_server.url("/"))
    for name, path in {"first-visit": "/", "login": "/login/", "signup": "/signup/"}.items():
        visitor.goto(app_server.url(path))
        browsing.check(visitor, name)
        if browsing.size == "phone":
            assert _small_targets(visitor) == [], name


def test_a_phone_has_the_tab_bar_and_a_desktop_the_header_links(app_server, browsing: Browsing):
    alice, _photo = _people()

    page = browsing.open(app_server.url("/"), user=alice)

    tabbar = page.get_by_role("navigation", name="Tabs")
    if browsing.size == "phone":
        expect(tabbar.get_by_role("link")).to_have_text(TABS, use_inner_text=True)
        expect(tabbar.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
        expect(page.locator("header.topbar").get_by_role("link", name="Messages")).to_be_hidden()
    else:
        expect(tabbar).to_be_hidden()
        header = page.get_by_role("navigation", name="Main")
        for name in TABS:
            expect(header.get_by_role("link", name=name)).to_be_visible()  # "+ Post"
    page.locator("header.topbar summary").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_nothing_scrolls_sideways_on_a_360_px_phone(app_server, phone: Browsing):
    alice, photo = _people()
    narrow = phone.context(alice, app_server.url(), viewport={"width": 360, "height": 740})

    page = phone.open(app_server.url("/"), context=narrow)
    for path in ("/", photo.get_absolute_url(), "/u/alice/", "/notifications/", "/shop/", "/search/"):
        page.goto(app_server.url(path))
        assert_no_horizontal_overflow(page)
        header = page.locator("header.topbar").bounding_box()
        assert header is not None and header["height"] <= HEADER_MAX, (path, header)


def test_a_two_digit_badge_stays_on_its_own_icon(app_server, browsing: Browsing):
    # A dozen unread notifications: the bell's badge reads two digits and must not run into the
    # header link beside it (on a desktop, "Profile"), nor a tab bar badge into the next tab.
    alice, photo = _people()
    for _ in range(10):
        like_create(user=UserFactory(), photo=photo)

    page = browsing.open(app_server.url("/"), user=alice)

    expect(page.locator(".topbar [data-badge=notifications] [data-count]")).to_have_text(
        re.compile(r"^\d\d$")
    )
    touching = page.evaluate(
        """(gap) => {
          const controls = [...document.querySelectorAll('.topbar nav > a, .topbar summary, .tabbar a')]
            .filter(el => el.checkVisibility());
          const found = [];
          for (const badge of document.querySelectorAll('.topbar .badge, .tabbar .badge')) {
            if (!badge.checkVisibility()) continue;
            const b = badge.getBoundingClientRect();
            for (const control of controls) {
              if (control.contains(badge)) continue;
              const r = control.getBoundingClientRect();
              const apart = b.left - gap >= r.right || r.left >= b.right + gap
                || b.top - gap >= r.bottom || r.top >= b.bottom + gap;
              if (!apart)
                found.push(`${badge.dataset.badge} badge touches ${control.textContent.trim()}`);
            }
          }
          return found;
        }""",
        2,
    )

    assert touching == []


def test_a_select_in_a_row_of_controls_matches_the_text_field_beside_it(app_server, browsing: Browsing):
    # The moderation filters and bulk action put selects beside text fields: unstyled, the
    # selects kept the browser's small font and stood half as tall as the fields.
    moderator = UserFactory(username="moderator", is_staff=True)

    page = browsing.open(app_server.url("/moderation/"), user=moderator)

    mismatched = page.evaluate(
        """() => [...document.querySelectorAll('.row')].flatMap(row => {
          const field = row.querySelector('input[type=text], input[type=search]');
          if (!field) return [];
          const f = field.getBoundingClientRect(), size = getComputedStyle(field).fontSize;
          return [...row.querySelectorAll('select')]
            .filter(s => Math.abs(s.getBoundingClientRect().height - f.height) > 1
              || getComputedStyle(s).fontSize !== size)
            .map(s => `${s.name}: ${s.getBoundingClientRect().height}px ${getComputedStyle(s).fontSize}`
              + ` beside ${f.height}px ${size}`);
        })"""
    )
    assert page.locator(".row select").count() == 3
    assert mismatched == []
    if browsing.size == "phone":
        assert _small_targets(page) == []


def test_a_profiles_buttons_keep_their_words_on_one_line(app_server, phone: Browsing):
    # Beside "Message" and "Block" on a 360 px phone, "Following ✓" broke onto two lines.
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob", language="es")
    follow_create(follower=alice, followee=bob)
    follow_create(follower=bob, followee=alice)
    narrow = {"viewport": {"width": 360, "height": 740}}

    for viewer, person in ((alice, "bob"), (bob, "alice")):  # "Following ✓", "Siguiendo ✓"
        page = phone.open(
            app_server.url(f"/u/{person}/"), context=phone.context(viewer, app_server.url(), **narrow)
        )
        expect(page.locator(".actions button").first).to_contain_text("✓")
        broken = page.evaluate(
            """() => [...document.querySelectorAll('.actions button')].filter(button => {
              const words = document.createRange();
              words.selectNodeContents(button);
              return new Set([...words.getClientRects()].map(r => Math.round(r.top))).size > 1;
            }).map(button => button.textContent.trim())"""
        )
        assert broken == [], person
        assert_no_horizontal_overflow(page)
