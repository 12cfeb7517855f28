"""The site icon: browsers ask for /favicon.ico on a first visit, which used to log a 404."""

from __future__ import annotations

import re


def test_favicon_ico_is_served_without_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO header
    response.close()


def test_pages_link_the_icons_and_the_links_work(client):
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert links == ["/favicon.ico", "/static/favicon.svg"]
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        response.close()
