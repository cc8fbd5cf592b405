"""Commissioner assessment (``svmine assess``): organisations rated on the 2017 report's three
scales -- commitment, evidence, approach -- from the documents in a store, with the signals behind
every rating. Records: :mod:`svmine.assess.model`; persistence: :mod:`svmine.store.assessments`."""
