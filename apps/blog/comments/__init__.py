"""The blog's threaded comments: writes (services.py), reads (selectors.py), pages and fragments
(views.py, urls.py, forms.py), how a comment's text is shown (text.py) and demo threads (demo.py).

Who may do what is decided by apps/blog/permissions.py; the live thread's socket is
apps/blog/consumers.py, its group names apps/blog/realtime.py. docs/blog-comments.md tells the
whole story.
"""
