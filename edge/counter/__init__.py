"""The counter unit: officer buttons, status lights, small display and SKM box."""
