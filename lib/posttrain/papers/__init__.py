"""The three papers' experiments, one module each, exported from nbs/papers/<paper>/00_<paper>.ipynb."""
