from hypothesis import settings

settings.register_profile("repalg", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("repalg")
