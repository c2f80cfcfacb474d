<?xml version="1.0" encoding="UTF-8"?>
<!--
  units.xsl: the search of units: a GET form (title, producer's id,
  agency, rule, age, DUA end between two dates) and one page of results,
  with a link to the next page (the cursor is built by ui_units.c).
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:template match="units-page" mode="title">Unités</xsl:template>

  <xsl:template match="units-page" mode="main">
    <xsl:variable name="q" select="query"/>
    <form method="get" action="/ui/units" id="search" role="search" class="search">
      <fieldset>
        <legend>Rechercher des unités d'archives</legend>
        <div class="fields">
          <p><label for="f-title">Titre (contient)</label>
            <input type="text" id="f-title" name="title" value="{$q/title}" maxlength="500"/></p>
          <p><label for="f-producer">Identifiant donné par le producteur</label>
            <input type="text" id="f-producer" name="producer_id" value="{$q/producer_id}" maxlength="500"/></p>
          <p><label for="f-agency">Service producteur (identifiant)</label>
            <input type="text" id="f-agency" name="agency" value="{$q/agency}" maxlength="500"/></p>
          <p><label for="f-rule">Règle de sort final (identifiant)</label>
            <input type="text" id="f-rule" name="rule" value="{$q/rule}" maxlength="200"/></p>
          <p><label for="f-age">Âge</label>
            <select id="f-age" name="age">
              <option value="">tous les âges</option>
              <xsl:call-template name="age-option"><xsl:with-param name="v" select="'current'"/></xsl:call-template>
              <xsl:call-template name="age-option"><xsl:with-param name="v" select="'intermediate'"/></xsl:call-template>
              <xsl:call-template name="age-option"><xsl:with-param name="v" select="'definitive'"/></xsl:call-template>
              <xsl:call-template name="age-option"><xsl:with-param name="v" select="'disposal'"/></xsl:call-template>
              <xsl:call-template name="age-option"><xsl:with-param name="v" select="'review'"/></xsl:call-template>
            </select></p>
          <p><label for="f-from">Fin de DUA à partir du (AAAA-MM-JJ)</label>
            <input type="text" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" placeholder="AAAA-MM-JJ" size="12" id="f-from" name="end_from" value="{$q/end_from}"/></p>
          <p><label for="f-to">Fin de DUA jusqu'au (AAAA-MM-JJ)</label>
            <input type="text" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" placeholder="AAAA-MM-JJ" size="12" id="f-to" name="end_to" value="{$q/end_to}"/></p>
          <p><label for="f-limit">Résultats par page</label>
            <input type="number" id="f-limit" name="limit" min="1" max="500" value="{$q/@limit}"/></p>
        </div>
        <p><button type="submit">Rechercher</button>
          <a href="/ui/units">Effacer les critères</a></p>
      </fieldset>
    </form>
    <xsl:if test="error">
      <p class="error" role="alert" id="search-error"><xsl:value-of select="error"/></p>
    </xsl:if>
    <xsl:if test="results">
      <xsl:choose>
        <xsl:when test="results/unit">
          <table id="units">
            <caption>
              Unités trouvées<xsl:if test="$q/@after"> (suite)</xsl:if> :
              <span id="count"><xsl:value-of select="count(results/unit)"/></span> sur cette page,
              dans l'ordre d'archivage
            </caption>
            <thead>
              <tr>
                <th scope="col">Titre</th>
                <th scope="col">Identifiant producteur</th>
                <th scope="col">Service producteur</th>
                <th scope="col">Règle</th>
                <th scope="col">Âge</th>
                <th scope="col">Fin de DUA</th>
                <th scope="col">Sort final</th>
                <th scope="col">Identifiant</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="results/unit">
                <tr data-unit="{id}">
                  <th scope="row"><a href="/ui/units/{id}"><xsl:value-of select="title"/></a></th>
                  <td><xsl:value-of select="producer_id"/></td>
                  <td><xsl:value-of select="agency"/></td>
                  <td><xsl:value-of select="rule"/></td>
                  <td data-age="{age}"><xsl:call-template name="age"><xsl:with-param name="a" select="age"/></xsl:call-template></td>
                  <td><xsl:value-of select="end_date"/></td>
                  <td><xsl:call-template name="final"><xsl:with-param name="f" select="final_action"/></xsl:call-template></td>
                  <td><code><xsl:value-of select="id"/></code></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise>
          <p id="no-result">Aucune unité ne répond à ces critères<xsl:if test="$q/@after"> après celles déjà affichées</xsl:if>.</p>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="next">
        <p class="pager"><a href="{next/@href}" id="next" rel="next">Page suivante</a></p>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <xsl:template name="age-option">
    <xsl:param name="v"/>
    <option value="{$v}">
      <xsl:if test="/*/query/age = $v"><xsl:attribute name="selected">selected</xsl:attribute></xsl:if>
      <xsl:call-template name="age"><xsl:with-param name="a" select="$v"/></xsl:call-template>
    </option>
  </xsl:template>

  <xsl:template name="final">
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="$f = 'Destroy'">élimination</xsl:when>
      <xsl:when test="$f = 'Keep'">conservation</xsl:when>
      <xsl:when test="$f = 'Sort'">tri</xsl:when>
      <xsl:otherwise><xsl:value-of select="$f"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
