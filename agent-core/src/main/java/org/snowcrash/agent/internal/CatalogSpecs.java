package org.snowcrash.agent.internal;

import java.io.IOException;

import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;
import org.snowcrash.models.ModelCatalog;

/**
 * A catalog model's spec, for the runtime's callers: the one place that turns the catalog's
 * {@link IOException} (the demo model could not be written: a full disk, a read-only models
 * directory) into an {@link InvalidModelException}, so what reaches a caller stays inside the
 * {@code SnowcrashException} family. Not part of Snowcrash's API.
 */
public final class CatalogSpecs {

    private CatalogSpecs() {
    }

    /**
     * {@code catalog.spec(id)}.
     *
     * @throws InvalidModelException when the demo model's file cannot be written
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     */
    public static ModelSpec resolve(ModelCatalog catalog, String id) {
        try {
            return catalog.spec(id);
        } catch (IOException e) {
            throw new InvalidModelException(id, new StartFailure.ModelInvalid(catalog.fileOf(catalog.entry(id)),
                    "cannot write the demo model there: " + e.getMessage()));
        }
    }
}
