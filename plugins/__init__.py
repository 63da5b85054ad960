"""Built-in accelbench plugins: every module here is registered automatically."""
