-- svmine store, schema version 4: the start time of a run's writer process.
-- A run left 'running' by a scan that was killed is recognised at the next start by its pid
-- being gone; pids are reused, so the pid alone could take an unrelated live process for the
-- scan. pid + start time names one process.

ALTER TABLE runs ADD COLUMN process_started REAL;  -- seconds since the epoch (psutil create_time)
