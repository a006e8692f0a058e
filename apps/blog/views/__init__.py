"""The blog's pages. On this branch only a stand-in post page (reading.py) that shows the comments;
the blog pages branch brings the real ones."""
