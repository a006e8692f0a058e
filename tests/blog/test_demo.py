from __future__ import annotations

from django.core.management import call_command

from apps.blog.models import Category, Post


def test_seed_demo_writes_the_blog_once_through_its_services(client, db, settings):
    settings.DEBUG = True

    call_command("seed_demo")
    call_command("seed_demo")

    assert Category.objects.count() == 3
    assert Post.objects.filter(live=True).count() == 5
    waiting = Post.objects.get(review_state=Post.ReviewState.SUBMITTED)
    assert not waiting.live and waiting.author.email == "author@test.com"
    assert set(Post.objects.values_list("author__email", flat=True)) == {"author@test.com", "blogadmin@test.com"}
    html = client.get("/blog/").content.decode()
    assert "Keeping pages fast" in html and 'srcset="' in html
    assert "What is next for the community" not in html
    home = client.get("/").content.decode()
    assert "From the blog" in home and 'href="/blog/keeping-pages-fast/"' in home
